// The per-set lines of one cleanup run. A start with thousands of leftovers would write thousands
// of ErrorLog lines, which httpd 2.4 writes at notice whatever LogLevel says, and formatting and
// writing them cost more than the removals. So the first few of each kind keep their own level
// and the rest go at info (LogLevel info still lists every set), counted, and said in one line.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/log_sink.h"

namespace semguard {

using LogFnRef = std::function<void(Level, const char* tag, const std::string&)>;

// Per-set lines of each kind (removed, kept) a cleanup run logs at their own level. Twenty is
// every line of any ordinary start (a killed server leaves 2 to 10 sets: one per mutex), so
// only an abnormal one (a crash loop, years of servers without the module) is cut short, and
// twenty lines still show the pattern (pids, reasons) an operator needs to act on.
constexpr int kLoudPerSetLines = 20;
// No cap: every per-set line at its own level (semguardctl prints all it did).
constexpr int kEveryPerSetLineLoud = -1;

class PerSetLines {
 public:
  explicit PerSetLines(const LogFnRef* log) : log_(log) {}
  // A new cleanup run; `loud`: kLoudPerSetLines, kEveryPerSetLineLoud or any cap >= 0.
  void Start(int loud);
  // A set removed (notice), or kept or not removed (warn); at info past the cap.
  void Removed(const char* tag, const std::string& message);
  void Kept(const char* tag, const std::string& message);
  // The lines that went at info, one line for each kind that had any (SG00048, SG00049).
  void Summarize();

 private:
  struct Kind {
    int loud_lines = 0;
    std::map<std::string, int> quiet_by_tag;
    int quiet = 0;
  };
  void Log(Kind* kind, Level level, const char* tag, const std::string& message);
  const LogFnRef* log_;
  int loud_ = kEveryPerSetLineLoud;
  Kind removed_;
  Kind kept_;
};

}  // namespace semguard
