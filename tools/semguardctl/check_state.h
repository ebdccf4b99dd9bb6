// `semguardctl check`: the monitoring-plugin verdict (Nagios/Icinga exit codes) and its one line
// with perfdata, computed from a HostView without I/O.
#pragma once

#include <string>

#include "semguardctl/host_view.h"
#include "semguardctl/options.h"

namespace semguardctl {

enum PluginCode { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };
const char* PluginWord(int code);

struct CheckResult {
  int code = kUnknown;
  std::string summary;   // after "SEMGUARD WORD - "
  std::string perfdata;  // after " | "
  int leftovers = 0, candidates = 0, unreadable_ledgers = 0;
  long free_sets = 0, free_sems = 0, warn_sets = 0, crit_sets = 0, warn_sems = 0, crit_sems = 0;
  std::string Line() const;  // the whole plugin line, with its newline
};

CheckResult EvaluateCheck(const HostView& v, const Threshold& warn_free,
                          const Threshold& crit_free);
std::string CheckJson(const CheckResult& r, const HostView& v);

}  // namespace semguardctl
