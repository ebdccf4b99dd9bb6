// The log lines a test's LogSink received, each kept as "<level> <text>", for example
// "3 SG00003: refusing the ledger: ...".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/log_sink.h"

namespace semguard_test {

class LogLines {
 public:
  // A sink that appends to this object, which must outlive it.
  semguard::LogSink Sink() { return semguard::LogSink(&Record, &lines_); }
  const std::vector<std::string>& all() const { return lines_; }
  // The lines holding `text`.
  std::vector<std::string> With(std::string_view text) const {
    std::vector<std::string> found;
    for (const std::string& line : lines_) {
      if (line.find(text) != std::string::npos) found.push_back(line);
    }
    return found;
  }

 private:
  static void Record(void* baton, int level, const char* line) {
    static_cast<std::vector<std::string>*>(baton)->push_back(std::to_string(level) + " " + line);
  }
  std::vector<std::string> lines_;
};

}  // namespace semguard_test
