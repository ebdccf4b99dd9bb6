// The startup cleanup's input, and the one function that builds it for any caller: the httpd
// parent at a real start, or a command-line tool acting for a stopped server. Nothing here
// assumes the caller is httpd: who it is comes in as CleanupCaller.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "cleanup/cleanup_policy.h"
#include "cleanup/per_set_lines.h"
#include "config/settings.h"
#include "ledger/ledger_format.h"
#include "os/sem_set.h"

namespace semguard {

struct CleanupInput {
  CleanupMode mode = Settings{}.cleanup;  // the defaults are settings.h's
  AdoptMode adopt = Settings{}.adopt;
  const Ledger* previous = nullptr;  // this instance's last ledger, if it was readable
  AdoptionShape shape{};
  pid_t self = 0;                    // the caller, never counted as a live httpd
  std::string self_exe;              // the httpd binary, to find its live processes
  std::string own_lock_path;         // held by the caller now
  uid_t ledger_owner = 0;            // who must own the ledgers of live instances
  std::vector<int> own_sets;         // semids this running server records (status page's count)
  int sets_per_run = 0;              // for the "table full" diagnosis; 0: unknown
  FileId lock_now;                   // identity of the instance lock the caller holds
  uint64_t self_pid_ns = 0;          // the caller's pid namespace
  // A full scan of the table the caller made a moment ago (the recorder's pre_config snapshot,
  // a checkpoint's scan), so the cleanup needs none of its own. It only picks the sets to look
  // at: each one is read again (IPC_STAT, then the probe) right before it is judged. nullptr:
  // the cleanup scans. Sets made after this scan are not looked at in this cleanup.
  const std::vector<SemSet>* table = nullptr;
  // Per-set lines (removed, kept) logged at their own level before the rest go at info with one
  // summary line: httpd's ErrorLog gets a few; semguardctl, which prints what it did, every one.
  int loud_per_set_lines = kLoudPerSetLines;
};

// Who runs the cleanup.
struct CleanupCaller {
  pid_t pid = 0;         // the process that holds the instance lock
  std::string exe;       // the httpd binary ("" when unknown: then only names find httpd)
  uid_t starter = 0;     // the uid starting httpd: creator of its sets, owner of its ledgers
  FileId lock;           // identity of the instance lock it holds
  uint64_t pid_ns = 0;   // its pid namespace
};

// `previous`: the instance's last ledger, or nullptr when none was read (or this server wrote
// it itself, as after a restart). The instance lock is the one of settings.ledger_path.
CleanupInput MakeCleanupInput(const Settings& settings, const Ledger* previous,
                              const CleanupCaller& caller);

}  // namespace semguard
