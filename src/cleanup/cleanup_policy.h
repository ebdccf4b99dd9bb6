// The removal rules, as pure functions: given what the kernel and /proc say, may a set go? Each
// "no" carries the sentence the log shows. docs/operations.md states the same rules.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "os/proc_identity.h"
#include "os/process_table.h"
#include "os/sem_set.h"
#include "base/status.h"

namespace semguard {

// The values are the façade's SG_CLEANUP_* and SG_ADOPT_* (c_api.cc checks they stay equal).
enum class CleanupMode { kOn = 0, kReport = 1, kOff = 2 };     // SemGuardCleanup
enum class AdoptMode { kOff = 0, kReport = 1, kRemove = 2 };   // SemGuardAdopt

struct Verdict {
  enum Kind { kRemove, kGone, kSkip } kind;
  std::string reason;  // why not, for kSkip and kGone
};

// Is the previous ledger's owner dead? Only if its pid is gone, or the pid now names another
// process (start time, pid namespace or boot differ). `now_status` is reading the pid's
// identity now; `alive` whether the pid runs at all.
struct OwnerVerdict {
  bool dead;
  std::string why;
};
OwnerVerdict JudgeOwner(const ProcessIdentity& recorded, bool alive, const Status& now_status,
                        const ProcessIdentity& now);

// A set the previous (dead) owner recorded. `stat_status` is IPC_STAT of its semid now; `now`
// the probed set when that worked; `last_pid_alive` whether now.last_pid runs.
Verdict JudgeRecordedSet(const RecordedSet& rec, const Status& stat_status, const SemSet& now,
                         bool last_pid_alive);

// Free and abandoned: value 1, nobody waits, and the last-operation pid is visible and dead.
// Both removal paths require it, on the reads made just before IPC_RMID, which follows them at
// once (no second read).
Verdict JudgeFree(const SemSet& now, bool last_pid_alive);

// What httpd's own sets look like once the server set their owner: see docs/operations.md.
struct AdoptionShape {
  uid_t starter_uid;  // the uid starting httpd: the creator
  uid_t user;         // User
  gid_t group;        // Group
};
bool HasHttpdShape(const SemSet& set, const AdoptionShape& shape);

// A set of httpd's shape that no ledger knows: a leftover only when JudgeFree says so.
Verdict JudgeAdoptionCandidate(const SemSet& probed, bool last_pid_alive);

// With SemGuardAdopt Remove, a candidate may go only when no live httpd could own it: every
// live httpd process must hold a semguard instance lock (its instance's ledger accounts for its
// sets). Returns "" when removal may proceed, else the reason it may not.
std::string AdoptionBlocker(const std::vector<HttpdProcess>& live_httpd);

// What a lock held by a live httpd says about the ledgers this process can read. A lock is
// known by its file's identity, never by its path text, which names a file in the holder's
// mount namespace: here the same text may name another file, or this instance's own lock.
struct HeldLockVerdict {
  enum Kind {
    kOwn,         // this instance's own lock: its sets are accounted for already
    kNotOurs,     // not a lock the starting user made: it proves and blocks nothing
    kReadLedger,  // the very file is at its path here: read the ledger beside it
    kBlock,       // its ledger cannot be found from here: no removal
  } kind;
  std::string ledger_path;  // for kReadLedger
  std::string blocker;      // for kBlock
};
// `own`: the identity of this instance's lock file (nullptr when unknown); `here_status` and
// `here`: stat() of `lock.path` in this mount namespace; `starter`: the uid that starts httpd,
// who creates every instance lock.
HeldLockVerdict JudgeHeldLock(const HttpdProcess& holder, const HeldLockFile& lock,
                              const FileId* own, const Status& here_status, const FileId& here,
                              uid_t starter);

}  // namespace semguard
