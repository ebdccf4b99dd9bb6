// What the kernel says about one SysV semaphore set, and what the ledger remembers of it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/file_id.h"
#include "os/proc_identity.h"

namespace semguard {

// One row of the kernel's table (semctl SEM_STAT), plus the state of semaphore 0 (GETPID,
// GETVAL, GETNCNT) when it was probed.
struct SemSet {
  int semid = -1;
  int index = -1;   // the table's slot, when read by slot (SEM_STAT); -1 when read by semid
  int32_t key = 0;  // 0 is IPC_PRIVATE
  uid_t uid = 0;    // owner, changed by IPC_SET (httpd sets it to User)
  gid_t gid = 0;
  uid_t cuid = 0;   // creator, never changes
  gid_t cgid = 0;
  unsigned mode = 0;  // permission bits only
  unsigned long nsems = 0;
  int64_t ctime = 0;  // creation or last IPC_SET/SETVAL
  int64_t otime = 0;  // last semop, 0 if never

  bool probed = false;  // the fields below are valid
  pid_t last_pid = 0;   // sempid of semaphore 0: last semop, SETVAL or SEM_UNDO adjustment
  int value = 0;
  int waiters = 0;      // GETNCNT + GETZCNT
};

// True when `now` is the very set `then` described: same slot and sequence (semid), and the
// fields no semop can change. semids are reused; ctime and the creator tell a reuse apart.
bool SameIdentity(const SemSet& then, const SemSet& now);
// Whether `now` can still be the set `then` describes: all of SameIdentity but the ctime, which
// may have moved forward (SETVAL by a process of the owner's, a "reset the stuck semaphore"
// script). Weaker than SameIdentity, which every removal needs; enough to keep naming it.
bool CanBeTheSameSet(const SemSet& then, const SemSet& now);

// How httpd's APR sysvsem mutexes look: IPC_PRIVATE, one semaphore.
bool LooksLikeHttpdMutex(const SemSet& set);

// The run that recorded a set: its httpd parent (with its session) and the identity of the
// instance lock file that run held. Proving this run gone proves the set's users gone.
struct RunOwner {
  ProcessIdentity process;
  FileId lock;  // unknown (0, 0) in a version 1 ledger
};

// A set this server recorded: the kernel's identity, which mutex it is, who made it.
struct RecordedSet {
  SemSet set;
  std::string type;       // "mpm-accept", "ssl", ... or the phase ("post_config")
  pid_t creator_pid = 0;  // the process that created it (sempid right after creation)
  long generation = 0;    // config generation when it appeared
  // Inherited: an earlier run's set that could not be removed yet. It keeps that run's owner
  // through every later ledger until the set is gone or provably free to go.
  bool inherited = false;
  RunOwner owner;         // only when inherited
};

}  // namespace semguard
