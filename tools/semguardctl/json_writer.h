// A small JSON writer for --json: objects, arrays, strings, numbers, booleans. Strings are
// escaped by the core's JsonEscape (the status page's), so both speak the same JSON.
#pragma once

#include <string>
#include <vector>

namespace semguardctl {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The next value's key, inside an object.
  JsonWriter& Key(const std::string& key);
  JsonWriter& String(const std::string& value);
  JsonWriter& Number(long long value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Shorthands for Key(k).X(v).
  JsonWriter& Field(const std::string& key, const std::string& value);
  JsonWriter& Field(const std::string& key, const char* value);
  JsonWriter& Field(const std::string& key, long long value);
  JsonWriter& Field(const std::string& key, int value) {
    return Field(key, static_cast<long long>(value));
  }
  JsonWriter& Field(const std::string& key, long value) {
    return Field(key, static_cast<long long>(value));
  }
  JsonWriter& Field(const std::string& key, bool value);

  // The text so far, with a newline once the outermost value is closed.
  std::string text() const { return depth_.empty() && !out_.empty() ? out_ + "\n" : out_; }

 private:
  void BeforeValue();
  std::string out_;
  std::vector<bool> depth_;  // per open container: has it a member yet
  bool after_key_ = false;
};

}  // namespace semguardctl
