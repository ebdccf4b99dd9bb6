// The startup cleanup: at a real start, before the MPM makes its accept mutex, remove what the
// previous unclean run of this instance left (SemGuardCleanup), report or remove httpd-shaped
// leftovers no ledger knows (SemGuardAdopt), and say so before a start that would still fail.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cleanup/cleanup_input.h"
#include "cleanup/cleanup_policy.h"
#include "ledger/ledger_format.h"
#include "base/log_sink.h"
#include "os/process_table.h"
#include "os/sysv.h"

namespace semguard {

struct CleanupReport {
  int removed = 0;
  int skipped = 0;
  int gone = 0;
  int candidates = 0;  // adoption candidates found
  int adopted = 0;     // ... and removed
  std::vector<std::pair<int, std::string>> skips;  // semid, reason
  pid_t previous_owner = 0;
  double millis = 0;
};

using LogFnRef = std::function<void(Level, const char* tag, const std::string&)>;

// Httpd-shaped, free, abandoned sets that no ledger (this instance's previous one, or any live
// instance's) accounts for; and why SemGuardAdopt Remove may not take them ("" if it may).
struct AdoptionScan {
  int candidates = 0;
  std::string blocker;
};
// Called for each candidate right after the reads that judged it, so a removal can follow with
// nothing in between.
using CandidateFn = std::function<void(const SemSet&, const std::string& blocker)>;

class Cleanup {
 public:
  Cleanup(SysV* sysv, ProcessTable* procs, LogFnRef log)
      : sysv_(sysv), procs_(procs), log_(std::move(log)) {}
  CleanupReport Run(const CleanupInput& in);
  // The adoption rules without removing anything (also the status page's "leaked sets").
  AdoptionScan FindAdoptionCandidates(const CleanupInput& in, const CandidateFn& each = nullptr);

 private:
  void CleanPreviousRun(const CleanupInput& in, CleanupReport* report);
  void Adopt(const CleanupInput& in, CleanupReport* report);
  void AccountLiveLedgers(const CleanupInput& in, const std::vector<HttpdProcess>& live,
                          std::set<int>* accounted, std::string* blocker);
  void DiagnoseFullTable(const CleanupInput& in);
  // Whether a set's last user runs; remembered for one cleanup, since thousands of leftovers
  // usually share a few dead pids.
  bool LastUserAlive(const SemSet& s);
  std::map<pid_t, bool> alive_;
  std::string Started(const ProcessIdentity& owner);

  SysV* sysv_;
  ProcessTable* procs_;
  LogFnRef log_;
};

}  // namespace semguard
