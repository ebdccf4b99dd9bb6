// Lines logged before httpd's ErrorLog opens reach only stderr: the terminal in the first pass,
// /dev/null in a freshly detached daemon. This sink passes every line on and, while it keeps,
// also keeps a copy, to log again once the ErrorLog is open.
#pragma once

#include <string>
#include <vector>

#include "base/log_sink.h"

namespace semguard {

class BufferingLogSink {
 public:
  BufferingLogSink(LogSink out, bool keep) : out_(out), keep_(keep) {}

  void Log(Level level, const char* tag, const std::string& message);
  // Debug lines are for the live log only and are never kept.
  void Debug(const std::string& message) const { out_.Debug(message); }
  // Logs the kept lines again, in order, and keeps no more.
  void Replay();
  const LogSink& out() const { return out_; }

 private:
  struct Line {
    Level level;
    std::string tag;
    std::string message;
  };
  LogSink out_;
  bool keep_;
  std::vector<Line> kept_;
};

}  // namespace semguard
