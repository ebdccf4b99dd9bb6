#include "semguardctl/json_writer.h"

#include <cmath>
#include <cstdio>

#include "page/render.h"

namespace semguardctl {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!depth_.empty()) {
    if (depth_.back()) out_ += ",";
    depth_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += "{";
  depth_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += "}";
  if (!depth_.empty()) depth_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += "[";
  depth_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += "]";
  if (!depth_.empty()) depth_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(const std::string& key) {
  BeforeValue();
  out_ += "\"" + semguard::JsonEscape(key) + "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(const std::string& value) {
  BeforeValue();
  out_ += "\"" + semguard::JsonEscape(value) + "\"";
  return *this;
}

JsonWriter& JsonWriter::Number(long long value) {
  BeforeValue();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_ += "null";  // JSON has no NaN or infinity
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", value);
  out_ += buf;
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Field(const std::string& key, const std::string& value) {
  return Key(key).String(value);
}

JsonWriter& JsonWriter::Field(const std::string& key, const char* value) {
  return Key(key).String(value);
}

JsonWriter& JsonWriter::Field(const std::string& key, long long value) {
  return Key(key).Number(value);
}

JsonWriter& JsonWriter::Field(const std::string& key, bool value) { return Key(key).Bool(value); }

}  // namespace semguardctl
