// semguardctl's command line: one pure parser (no I/O), so every bad argument has a unit test.
#pragma once

#include <string>
#include <vector>

#include "cleanup/cleanup_policy.h"
#include "page/page_model.h"

namespace semguardctl {

inline constexpr const char* kToolVersion = "0.1";

enum class Command { kNone, kList, kCheck, kCleanup, kExplain, kShow, kHelp, kVersion };

// A free-space threshold of `check`: a number of sets, or a share of the limit.
struct Threshold {
  double value = 0;
  bool percent = false;
};

struct Options {
  Command command = Command::kNone;
  bool json = false;
  std::vector<std::string> ledgers;  // --ledger, in the order given; show's FILE
  std::string user, group;           // --user/--group: httpd's User and Group (adoption shape)
  // cleanup
  semguard::AdoptMode adopt = semguard::AdoptMode::kReport;
  bool dry_run = false;
  // check: WARNING / CRITICAL when fewer sets (or semaphores) than this are free
  Threshold warn_free{20, true};
  // The status page's "nearly full": one definition, the core's.
  Threshold crit_free{semguard::kNearLimitFreeShare * 100, true};
  // explain
  int semid = -1;
};

// Fills `out` from argv[1..]; on a bad argument returns false and says why in `error`.
bool ParseArgs(int argc, const char* const* argv, Options* out, std::string* error);

// "12" or "12%" (0 to 100 for a share).
bool ParseThreshold(const std::string& text, Threshold* out);

// The number of sets (or semaphores) `t` means for a table of `limit`: a share is rounded up,
// so "fewer than 10% free" and "fewer than N free" agree.
long ThresholdCount(const Threshold& t, long limit);

// "20%" or "5".
std::string FormatThreshold(const Threshold& t);

std::string UsageText();
const char* CommandName(Command c);

}  // namespace semguardctl
