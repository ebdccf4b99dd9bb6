// `semguardctl explain`: the rules one set meets or fails, each one line, and the verdict.
#pragma once

#include <string>
#include <vector>

#include "semguardctl/host_view.h"

namespace semguardctl {

struct RuleLine {
  std::string rule;   // the core's judge, or the proof it stands for
  bool pass = false;  // true: this rule allows the removal
  std::string reason;
};

struct Explanation {
  int semid = -1;
  bool exists = false;
  std::string path;  // "recorded" (the cleanup of a ledger) or "adoption"
  std::vector<RuleLine> rules;
  bool would_remove = false;
  std::string how;  // the command that would remove it, or why none would
};

// "  pass  JudgeFree: free, nobody waits, last user gone"
std::string FormatRule(const RuleLine& r);
std::string ExplainText(const Explanation& e, const HostView& v, const SetView* s);
std::string ExplainJson(const Explanation& e, const HostView& v, const SetView* s);

}  // namespace semguardctl
