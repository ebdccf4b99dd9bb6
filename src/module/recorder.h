// The recorder: which semaphore sets this server made, written to its ledger after every phase
// that makes them. One Recorder lives for one configuration pass (httpd's pconf); what must
// outlive it is in Retained and in the ledger file itself. It only drives the parts from the
// hook phases: the instance lock, the ledger store, the startup cleanup, the child-exit area and
// the buffering log sink do the work, and each of them serves other callers too.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/buffering_log_sink.h"
#include "base/status.h"
#include "cleanup/cleanup.h"
#include "config/settings.h"
#include "ledger/instance_lock.h"
#include "ledger/ledger_store.h"
#include "module/mutex_labels.h"
#include "module/retained.h"
#include "module/slot_table.h"
#include "os/file_system.h"
#include "os/process_table.h"
#include "os/sysv.h"
#include "page/page_model.h"

namespace semguard {

// httpd's ap_state_query values the recorder needs, copied so the core needs no httpd header.
enum class MainState {
  kInitialStartup = 1,
  kCreatePreConfig,
  kDestroyConfig,
  kCreateConfig,
  kRunMpm,
  kExiting
};
enum class RunMode { kUnknown = 1, kNormal, kConfigTest, kConfigDump };

struct Environment {
  MainState main_state = MainState::kCreatePreConfig;
  RunMode run_mode = RunMode::kNormal;
  long generation = 0;
  pid_t pid = 0;  // 0: getpid() at each use (the first process forks the daemon mid-pass)
  uid_t euid = 0;
  std::string exe;  // httpd's binary, for the cleanup to tell its live servers
  std::string server_root;
  std::string config_file;
  std::string apr_default_lock;  // apr_proc_mutex_defname(), for the "nothing to guard" line
};

// The operating system as the recorder sees it; each nullptr means the real one.
struct Seams {
  SysV* sysv = nullptr;
  ProcessTable* procs = nullptr;
  FileSystem* files = nullptr;
  const Clock* clock = nullptr;
};

class Recorder {
 public:
  Recorder(Environment env, Retained* retained, LogSink log, Seams seams = {});

  // pre_config: the first snapshot of the table. Changes nothing anywhere.
  void TakeFirstSnapshot();
  // check_config, the first hook that knows the directives (SemGuard, SemGuardLedger and
  // DefaultRuntimeDir are not applied yet in pre_config): load the ledger. Changes nothing,
  // except that a restart to SemGuard Off lets the instance lock go.
  void Configure(Settings settings);
  // open_logs / post_config: see which sets appeared since the previous checkpoint and, at
  // the last checkpoint of a phase, rewrite the ledger. Does nothing unless this process is
  // really starting or restarting the server.
  void AtCheckpoint(Checkpoint cp, const std::vector<std::string_view>& modules_between);
  // child_status(MPM_CHILD_EXITED), in the parent.
  void ChildExited(pid_t pid);
  // child_init and the child's clean-exit cleanup.
  void ChildStarted(pid_t pid);
  void ChildExitingCleanly(pid_t pid);

  // The parent, about every 10 s (httpd's monitor hook) and after each start: count the
  // httpd-shaped leftovers no ledger knows, for the status page's "leaked sets".
  void Monitor() { Monitor(nullptr); }
  // The status page's figures, in whichever process serves it.
  PageModel BuildPageModel() const;

  // For tests and the status page.
  const std::vector<RecordedSet>& recorded() const { return recorded_; }
  // Earlier runs' sets that could not go yet, carried with their own owners.
  const std::vector<RecordedSet>& inherited() const { return inherited_; }
  bool holds_lock() const { return lock_.held(); }
  // Whether this server guards its sets now, and why not ("" when it does).
  bool guarding() const;
  std::string guarding_reason() const;

 private:
  // `table`: a scan made a moment ago, so the count needs no scan of its own.
  void Monitor(const std::vector<SemSet>* table);
  bool Enabled() const;
  pid_t SelfPid() const;
  bool TakeLock();
  void CleanUpPreviousRun();
  // Runs the startup cleanup on this pass's first snapshot (the pre_config scan), and takes
  // what it removed out of the snapshot, so no checkpoint scans again for the removals alone.
  CleanupReport RunCleanup(CleanupInput in);
  // What a checkpoint does: nothing (the counts did not move), a search of a few slots for
  // the sets the counts say appeared, or a full scan.
  enum class Look { kSkip, kSearch, kScan };
  Look LookAt(Checkpoint cp, TableInfo* info);
  bool SearchNewSets(const TableInfo& info, const std::string& label, bool* added);
  void TakeOverFromUnguarded();
  void KeepUnguardedSets();
  void LoadUnguardedSets();
  void ReportPreviousLedger();
  Status ScanTable(SlotTable* out);
  bool RecordNewSets(const SlotTable& now, const std::string& label);
  void RecordIfOurs(const SemSet& set, const std::string& label);
  bool IsOurs(const SemSet& set, RecordedSet* rec) const;
  void Record(RecordedSet rec, const std::string& label);
  bool TakeBaseline(Checkpoint cp);
  void WriteLedger(Checkpoint cp);
  void WriteLedger(const std::string& when);
  void KeepUnwrittenSets();
  void TellNothingToGuard();
  CleanupInput MakeInput(const Ledger* previous) const;
  const Ledger* PreviousRun() const;
  void KeepStartupRecord(const CleanupReport& report);
  void RemoveStaleTemporaries();

  Settings settings_;
  Environment env_;
  Retained* retained_;
  SysV* sysv_;
  ProcessTable* procs_;
  const Clock* clock_;
  BufferingLogSink log_;
  InstanceLock lock_;
  LedgerStore store_;

  SlotTable snapshot_;                  // the table at the previous checkpoint
  SlotTable scan_;                      // the next full scan, in a buffer kept for reuse
  int last_new_slot_ = -1;              // the slot of the last new set seen (a search hint)
  int64_t last_scan_at_ = 0;            // when the last full scan started
  bool searched_since_scan_ = false;    // a slot search stood for a scan since then
  bool first_snapshot_ok_ = false;      // pre_config's scan was read (the cleanup picks from it)
  bool have_baseline_ = false;          // a scan tells the sets older than this pass: pre_config's,
                                        // or if that failed, the first that worked (SG00050)
  int snapshot_sets_in_use_ = -1;       // how many sets that scan saw (less what was removed)
  long snapshot_sems_in_use_ = -1;      // and how many semaphores they have
  std::vector<RecordedSet> recorded_;   // ours and still alive, carried and new
  std::vector<RecordedSet> inherited_;  // earlier runs' sets not provably free yet
  std::string unguarded_;               // why this pass holds no lock; "" when it does
  LoadedLedger loaded_;                 // what Configure read
  bool loaded_is_ours_ = false;         // written by this server (checksum matches Retained)
  bool reported_previous_ = false;
  bool last_write_failed_ = false;      // the last ledger write of this pass failed (or ran
                                        // into SG00011): its sets are on no disk
  bool recording_while_off_ = false;    // SemGuard Off at a restart of a server holding the lock
  bool on_deferred_ = false;            // SemGuard On at a restart of a server started Off
  std::string moved_from_;              // the ledger's old path after SemGuardLedger changed
  std::vector<int> written_semids_;     // the sets this pass's last ledger write named, sorted
  std::map<int, bool> vanished_;        // semids already reported as vanished
};

}  // namespace semguard
