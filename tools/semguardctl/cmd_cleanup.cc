// semguardctl cleanup: what a start does, offline, with the same proofs. It holds the
// instance's lock while it works (so nothing of that run lives), and the core's Cleanup
// decides every removal.
#include <unistd.h>

#include <cstdio>

#include "cleanup/busy_lock.h"
#include "cleanup/cleanup.h"
#include "cleanup/cleanup_input.h"
#include "ledger/instance_lock.h"
#include "os/proc_identity.h"
#include "ledger/ledger_store.h"
#include "os/process_table.h"
#include "os/sysv.h"
#include "semguardctl/cleanup_output.h"
#include "semguardctl/commands.h"
#include "semguardctl/host_view.h"

namespace semguardctl {
namespace {

using semguard::Status;

// Who holds the lock, in words: the ledger's owner when it runs, the live httpd processes that
// hold the lock file, or (when neither is found) the core's guess about orphaned children.
std::string LockOwners(const std::string& ledger, semguard::ProcessTable& procs) {
  const LedgerView view = ReadLedgerView(ledger, procs, procs.HttpdProcesses("", getpid(), geteuid()));
  if (view.live) return " (" + view.liveness + ")";
  return semguard::ExplainBusyLock(view.status.ok() ? &view.ledger : nullptr, procs);
}

}  // namespace

int RunCleanup(const Options& opts) {
  semguard::ProcessTable& procs = semguard::RealProcessTable();
  CleanupOutcome outcome;
  outcome.ledger = FindLedgers(opts.ledgers, {}).front();
  outcome.dry_run = opts.dry_run;
  outcome.adopt = opts.dry_run && opts.adopt == semguard::AdoptMode::kRemove
                      ? semguard::AdoptMode::kReport
                      : opts.adopt;
  const semguard::LedgerStore store(geteuid());
  semguard::LoadedLedger loaded = store.Load(outcome.ledger);

  semguard::HeldLock held = semguard::kNoLock;
  semguard::InstanceLock lock(&held);
  if (loaded.status.code() == Status::Code::kNotFound) {
    // No ledger: no run of this instance to clean. The lock would be a new file; not taken.
    outcome.ledger_found = false;
  } else {
    Status taken = lock.Take(outcome.ledger);
    if (taken.code() == Status::Code::kBusy) {
      PrintError("refusing to clean up " + outcome.ledger + ": " + taken.message() +
                 LockOwners(outcome.ledger, procs) + "; nothing was removed");
      return kExitFailure;
    }
    if (!taken.ok()) {
      PrintError("cannot take the instance lock of " + outcome.ledger + ": " + taken.message() +
                 (geteuid() != 0 ? " (run as the user that starts httpd, usually root)" : ""));
      return kExitFailure;
    }
    // Read again under the lock: this is the ledger of a run that is over.
    loaded = store.Load(outcome.ledger);
    if (!loaded.status.ok()) {
      lock.Release();
      PrintError("cannot read ledger " + outcome.ledger + ": " + loaded.status.message() +
                 "; nothing was removed");
      return kExitFailure;
    }
  }

  semguard::Settings settings;
  settings.ledger_path = outcome.ledger;
  settings.cleanup = opts.dry_run ? semguard::CleanupMode::kReport : semguard::CleanupMode::kOn;
  settings.adopt = outcome.adopt;
  std::string shape_from;
  std::vector<const semguard::Ledger*> ledgers;
  if (outcome.ledger_found) ledgers.push_back(&loaded.ledger);
  Status chosen = ChooseUserGroup(opts, ledgers, &settings, &shape_from);
  if (!chosen.ok()) {
    lock.Release();
    PrintError(chosen.message());
    return kExitUsage;
  }
  semguard::CleanupCaller caller;
  caller.pid = getpid();
  caller.starter = geteuid();
  // The lock proof holds only for the lock file the ledger recorded, and the session check only
  // in this pid namespace: say which lock this process holds and where it runs.
  caller.lock = lock.Identity();
  semguard::ProcessIdentity self;
  if (semguard::ReadProcessIdentity(getpid(), &self).ok()) caller.pid_ns = self.pid_ns;
  semguard::CleanupInput in =
      semguard::MakeCleanupInput(settings, outcome.ledger_found ? &loaded.ledger : nullptr, caller);
  // The operator asked for this cleanup and reads its output: every set gets its line.
  in.loud_per_set_lines = semguard::kEveryPerSetLineLoud;
  semguard::Cleanup cleanup(
      &semguard::RealSysV(), &procs,
      [&outcome](semguard::Level level, const char* tag, const std::string& msg) {
        outcome.lines.push_back({level, tag, msg});
      });
  outcome.report = cleanup.Run(in);
  lock.Release();
  const std::string out = opts.json ? CleanupJson(outcome) : CleanupText(outcome);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace semguardctl
