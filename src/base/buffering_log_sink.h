// Lines logged before httpd's ErrorLog opens reach only stderr: the terminal in the first pass,
// /dev/null in a freshly detached daemon (the ErrorLog itself in one that stays in the
// foreground). Until the ErrorLog is open this sink keeps every line, to log it there then
// (Replay), so that a normal start prints nothing on the terminal; only problems (warn and
// worse) in the first pass also go out at once, to reach the terminal.
#pragma once

#include <string>
#include <vector>

#include "base/log_sink.h"

namespace semguard {

// What stderr is until the ErrorLog opens, so what to do with a line logged then.
enum class EarlyLines {
  kLogAtOnce,    // stderr is the ErrorLog already (later generations): keep nothing
  kKeepRoutine,  // the terminal (first pass): problems go out at once too, routine lines wait
  kKeepAll,      // /dev/null, or the ErrorLog itself (first generation): every line waits
};

class BufferingLogSink {
 public:
  BufferingLogSink(LogSink out, EarlyLines early) : out_(out), early_(early) {}

  void Log(Level level, const char* tag, const std::string& message);
  // Debug lines are for the live log only and are never kept.
  void Debug(const std::string& message) const { out_.Debug(message); }
  // Logs the kept lines, in order, and keeps no more. A problem that went to the terminal at
  // once is logged a second time here, into the ErrorLog.
  void Replay();
  const LogSink& out() const { return out_; }

 private:
  struct Line {
    Level level;
    std::string tag;
    std::string message;
  };
  LogSink out_;
  EarlyLines early_;
  std::vector<Line> kept_;
};

}  // namespace semguard
