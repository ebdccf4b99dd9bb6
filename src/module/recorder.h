// The recorder: which semaphore sets this server made, written to its ledger after every phase
// that makes them. One Recorder lives for one configuration pass (httpd's pconf); what must
// outlive it is in Retained and in the ledger file itself.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "os/child_exits.h"
#include "cleanup/cleanup.h"
#include "ledger/ledger_format.h"
#include "base/log_sink.h"
#include "module/mutex_labels.h"
#include "os/process_table.h"
#include "module/retained.h"
#include "config/settings.h"
#include "page/page_model.h"
#include "base/status.h"
#include "os/sysv.h"

namespace semguard {

// httpd's ap_state_query values the recorder needs, copied so the core needs no httpd header.
enum class MainState { kInitialStartup = 1, kCreatePreConfig, kDestroyConfig, kCreateConfig, kRunMpm, kExiting };
enum class RunMode { kUnknown = 1, kNormal, kConfigTest, kConfigDump };

struct Environment {
  MainState main_state = MainState::kCreatePreConfig;
  RunMode run_mode = RunMode::kNormal;
  long generation = 0;
  pid_t pid = 0;  // 0: getpid() at each use (the first process forks the daemon mid-pass)
  uid_t euid = 0;
  std::string server_root;
  std::string config_file;
  std::string apr_default_lock;  // apr_proc_mutex_defname(), for the "nothing to guard" line
  std::string proc_root = "/proc";
};

class Recorder {
 public:
  // `procs` defaults to the real /proc.
  Recorder(Environment env, Retained* retained, SysV* sysv, LogSink log, ProcessTable* procs = nullptr);
  // procs_ may point at real_procs_: neither copy nor move.
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // pre_config: the first snapshot of the table. Changes nothing anywhere.
  void TakeFirstSnapshot();
  // check_config, the first hook that knows the directives (SemGuard, SemGuardLedger and
  // DefaultRuntimeDir are not applied yet in pre_config): load the ledger. Changes nothing.
  void Configure(Settings settings, std::string ledger_path);
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
  void Monitor();
  // The status page's figures, in whichever process serves it.
  PageModel BuildPageModel(int64_t now) const;

  // For tests and the status page.
  const std::vector<RecordedSet>& recorded() const { return recorded_; }
  bool holds_lock() const { return retained_->lock_fd >= 0; }

 private:
  bool Enabled() const;
  pid_t SelfPid() const;
  bool TakeLock();
  void CleanUpPreviousRun();
  std::string PreviousRunStillAlive();
  void ReportPreviousLedger();
  Status ScanTable(std::map<int, SemSet>* out);
  bool RecordNewSets(const std::map<int, SemSet>& now, const std::string& label);
  void DropVanished(const std::map<int, SemSet>& now);
  void WriteLedger(Checkpoint cp);
  void PreserveBadLedger();
  void TellNothingToGuard();
  CleanupInput MakeCleanupInput() const;
  void KeepStartupRecord(const CleanupReport& report);
  // Logs, and in the first pass keeps the line to log again once the ErrorLog is open.
  void Log(Level level, const char* tag, const std::string& message);

  Settings settings_;
  Environment env_;
  Retained* retained_;
  SysV* sysv_;
  LogSink log_;
  ProcProcessTable real_procs_;
  ProcessTable* procs_;

  std::map<int, SemSet> snapshot_;      // the table at the previous checkpoint
  int snapshot_sets_in_use_ = -1;       // how many sets that scan saw
  std::vector<RecordedSet> recorded_;   // ours and still alive, carried and new
  Status load_status_;                  // how reading the ledger at Begin went
  Ledger loaded_;                       // what it held
  bool loaded_is_ours_ = false;         // written by this server (checksum matches Retained)
  bool reported_previous_ = false;
  std::string loaded_from_;             // the path Configure read the ledger from
  std::string moved_from_;              // the ledger's old path after SemGuardLedger changed
  std::map<int, bool> vanished_;        // semids already reported as vanished
  bool error_log_open_ = false;         // core's open_logs has run in this pass
  std::vector<std::pair<Level, std::string>> early_lines_;  // logged before it had
};

}  // namespace semguard
