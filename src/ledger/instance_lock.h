// One live server per ledger. The parent takes an exclusive flock on "<ledger>.lock" at its first
// real start and never lets go (not even at a restart to SemGuard Off); forked children inherit
// the open file, so the lock is free only once the parent and every child of it are gone. That
// makes it a proof that no process of the previous run is alive, which no pid check can give
// (pids are reused) -- but only for the very file that run held: a lock file deleted and made
// anew proves nothing. So the ledger records the lock's identity (st_dev, st_ino), and the
// proof holds only when the file locked now is that one.
#pragma once

#include <string>

#include "base/status.h"
#include "os/file_system.h"

namespace semguard {

// The lock a server holds for its life, as plain data: it lives in httpd's retained memory
// (Retained) across restarts, or in a command-line tool's own variable.
struct HeldLock {
  int fd;             // the open lock file; -1 when none is held
  char path[4096];    // which file fd locks
};

inline constexpr HeldLock kNoLock = {-1, {}};

// Takes, moves and lets go of the lock kept in a HeldLock.
class InstanceLock {
 public:
  InstanceLock(HeldLock* held, FileSystem& files = RealFileSystem())
      : held_(held), files_(&files) {}

  bool held() const { return held_->fd >= 0; }
  // The ledger whose lock is held; "" when none is.
  std::string HeldLedger() const;
  // Holds the lock of `ledger_path` without waiting: nothing to do when it is held already; one
  // held for another ledger (SemGuardLedger changed) is let go first. Busy when another live
  // process holds it; Invalid for a symlink or anything but a regular file.
  Status Take(const std::string& ledger_path);
  void Release();
  // The identity of the file held now; unknown (0, 0) when none is held or fstat fails.
  FileId Identity() const;

 private:
  HeldLock* held_;
  FileSystem* files_;
};

}  // namespace semguard
