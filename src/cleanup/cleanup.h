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
#include "cleanup/per_set_lines.h"
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
  // Sets kept because their run is not provably gone or they are in use: the new ledger
  // carries them (inherited, with their own run's owner) until they can go.
  std::vector<RecordedSet> kept;
  pid_t previous_owner = 0;
  double millis = 0;
  // Every set this cleanup removed, so a caller that keeps a snapshot of the table can take
  // them out of it instead of scanning again.
  std::vector<SemSet> removed_sets;
};

// The sets a server makes when no ledger says how many: prefork with two Listen lines and
// mod_ssl makes 2 on a server whose mutexes are SysV semaphores.
constexpr int kTypicalSetsPerRun = 2;

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
  Cleanup(const Cleanup&) = delete;  // lines_ points at log_
  Cleanup& operator=(const Cleanup&) = delete;
  CleanupReport Run(const CleanupInput& in);
  // The parent's monitor and a restart that took the lock over: judge `inherited` again, the
  // same way as at a start, remove what may go, and drop from it what is gone. Logs only what
  // it removes (past in.loud_per_set_lines, at info, with one SG00048 line). Returns how many
  // entries left the list.
  int RetryInherited(const CleanupInput& in, std::vector<RecordedSet>* inherited);
  // The adoption rules without removing anything (also the status page's "leaked sets").
  AdoptionScan FindAdoptionCandidates(const CleanupInput& in, const CandidateFn& each = nullptr);

 private:
  // Returns whether the previous run is gone (and of this pid namespace), so its unrecorded
  // sets may be looked for.
  bool CleanPreviousRun(const CleanupInput& in, CleanupReport* report);
  // Sets the previous run made after its last ledger write (a crashed start).
  void FindCrashedRunSets(const CleanupInput& in, CleanupReport* report);
  // The table the cleanup picks its sets from: the caller's recent scan or one of its own,
  // made once per cleanup. nullptr when it cannot be read.
  const std::vector<SemSet>* Table(const CleanupInput& in);
  // A set picked from Table(), read again right before it is judged: its identity (IPC_STAT,
  // unless the row comes from this cleanup's own scan) and then its state (the probe). False
  // when it is gone or is not the set the row described any more.
  bool ReadAgain(const SemSet& row, SemSet* now);
  void Removed(const SemSet& s, CleanupReport* report);
  void ForgetTable();
  RunVerdict JudgeRunOnce(const RunOwner& owner, const CleanupInput& in);
  enum class Outcome { kRemoved, kGone, kKept };
  // Judges one recorded set of a run judged `run` on fresh reads, removes it when it may go.
  Outcome JudgeAndRemove(const RecordedSet& rec, const RunVerdict& run, const CleanupInput& in,
                         std::string* why);
  std::map<std::string, RunVerdict> runs_;  // by owner, for one cleanup
  void Adopt(const CleanupInput& in, CleanupReport* report);
  // SemGuardAdopt Auto: Remove's rules when this start cannot fit its sets, else Report.
  void AdoptWhenShort(const CleanupInput& in, CleanupReport* report);
  // Removes a candidate FindAdoptionCandidates has just judged (Remove and Auto alike).
  void RemoveCandidate(const SemSet& s, CleanupReport* report);
  // Whether the table can fit this server's sets: one computation, for Auto and the diagnosis.
  struct Room {
    bool known = false;  // the kernel said its limits
    bool enough = true;
    int needed = 0;      // sets (of one semaphore each) this server needs
    std::string needed_how;
    TableInfo info;
  };
  Room MeasureRoom(const CleanupInput& in);
  // What the ledgers of live instances (found by the locks live httpd processes hold) name,
  // and the first reason one of them cannot be read. Read once per cleanup: the previous run's
  // sets and the adoption both ask.
  struct LiveLedgers {
    bool read = false;
    std::map<int, std::string> sets;  // semid -> the live instance's ledger
    std::string blocker;              // AdoptionBlocker, or an unreadable live ledger
  };
  const LiveLedgers& ReadLiveLedgers(const CleanupInput& in);
  LiveLedgers live_ledgers_;
  void DiagnoseFullTable(const CleanupInput& in);
  // Whether a set's last user runs; remembered for one cleanup, since thousands of leftovers
  // usually share a few dead pids.
  bool LastUserAlive(const SemSet& s);
  std::map<pid_t, bool> alive_;
  std::vector<SemSet> own_table_;
  const std::vector<SemSet>* table_ = nullptr;
  bool table_read_ = false;
  bool rows_fresh_ = false;  // table_ is this cleanup's own scan
  std::set<int> removed_;    // semids removed by this cleanup
  bool in_run_ = false;
  std::string Started(const ProcessIdentity& owner);

  SysV* sysv_;
  ProcessTable* procs_;
  LogFnRef log_;
  PerSetLines lines_{&log_};  // a Run's per-set lines: the first ones loud, the rest at info
};

}  // namespace semguard
