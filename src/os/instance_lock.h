// One live server per ledger. The parent takes an exclusive flock on "<ledger>.lock" at its first
// real start and never lets go; forked children inherit the open file, so the lock is free only
// once the parent and every child of it are gone. That makes it a proof that no process of the
// previous run is alive, which no pid check can give (pids are reused).
#pragma once

#include <string>

#include "base/status.h"

namespace semguard {

// Opens (creating, mode 0600, never through a symlink) and locks `lock_path` without waiting.
// Busy when another process holds it. On success *fd_out is the descriptor to keep open
// (close-on-exec, so CGI and piped loggers do not inherit it).
Status AcquireInstanceLock(const std::string& lock_path, int* fd_out);

// True when some process holds `lock_path` (tests it with a shared, non-blocking lock).
bool InstanceLockHeld(const std::string& lock_path);

}  // namespace semguard
