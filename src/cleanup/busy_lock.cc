#include "cleanup/busy_lock.h"

#include "cleanup/cleanup_policy.h"

namespace semguard {

std::string ExplainBusyLock(const Ledger* previous, ProcessTable& procs) {
  const std::string generic = " (is the same configuration already running?)";
  if (previous == nullptr) return generic;
  const ProcessIdentity& owner = previous->owner.process;
  ProcessIdentity now;
  if (procs.Alive(owner.pid) && procs.Identity(owner.pid, &now).ok() &&
      !JudgeOwner(owner, true, Status::Ok(), now).dead) {
    return ". The server that wrote the ledger, pid " + std::to_string(owner.pid) +
           ", is running: is this a second start of it?";
  }
  // A killed parent's children live on as orphans in its session, holding the lock.
  std::string pids;
  for (pid_t p : procs.SessionMembers(owner.pid)) {
    pids += (pids.empty() ? "" : " ") + std::to_string(p);
  }
  if (pids.empty()) return generic;
  return ". Processes of the previous run (pid " + std::to_string(owner.pid) +
         ") are still alive: " + pids + " (orphaned children of a killed parent?); stop them and "
         "start again";
}

}  // namespace semguard
