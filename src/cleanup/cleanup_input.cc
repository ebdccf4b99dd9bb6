#include "cleanup/cleanup_input.h"

#include "base/file_names.h"

namespace semguard {

CleanupInput MakeCleanupInput(const Settings& settings, const Ledger* previous,
                              const CleanupCaller& caller) {
  CleanupInput in;
  in.mode = settings.cleanup;
  in.adopt = settings.adopt;
  in.previous = previous;
  in.shape = AdoptionShape{caller.starter, settings.user, settings.group};
  in.self = caller.pid;
  in.self_exe = caller.exe;
  in.own_lock_path = LockPathOf(settings.ledger_path);
  in.ledger_owner = caller.starter;
  in.lock_now = caller.lock;
  in.self_pid_ns = caller.pid_ns;
  in.sets_per_run = previous != nullptr ? static_cast<int>(previous->sets.size()) : 0;
  return in;
}

}  // namespace semguard
