// The removal rules, as pure functions: given what the kernel and /proc say, may a set go? Each
// "no" carries the sentence the log shows. docs/operations.md states the same rules.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/file_id.h"
#include "ledger/ledger_format.h"
#include "os/proc_identity.h"
#include "os/process_table.h"
#include "os/sem_set.h"
#include "base/status.h"

namespace semguard {

// The values are the façade's SG_CLEANUP_* and SG_ADOPT_* (c_api.cc checks they stay equal).
enum class CleanupMode { kOn = 0, kReport = 1, kOff = 2 };     // SemGuardCleanup
// kAuto: report, and remove as kRemove would only when the table cannot fit this start's sets.
enum class AdoptMode { kOff = 0, kReport = 1, kRemove = 2, kAuto = 3 };  // SemGuardAdopt

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

// Is the run that recorded some sets gone, with every process of it (so every user of its
// sets)? The proofs, in order (docs/operations.md, "What the instance lock proves"):
//  - the owner, where its pid namespace is ours, must be dead by JudgeOwner;
//  - by the lock: the instance lock this process holds now is the very file that run held
//    (same st_dev/st_ino): every process that inherited it is gone. Holds in any namespace.
//  - else by the session, only where the owner's pid namespace is ours and the owner led its
//    own session (httpd's detached parent does): no live process is left in that session.
//  - else not gone: the sets are kept and carried.
struct RunFacts {
  FileId lock_now;                     // the instance lock this process holds
  uint64_t self_pid_ns = 0;            // this process's pid namespace
  bool owner_alive = false;            // the owner's pid runs (meaningful in our namespace)
  Status owner_status = Status::Ok();  // reading its identity now
  ProcessIdentity owner_now;
  std::vector<pid_t> session_members;  // live members of its session, this process excluded
};
struct RunVerdict {
  bool gone = false;
  bool by_lock = false;  // proven by the lock: the sets' last users need not be visible
  std::string why;
  bool owner_may_live = false;  // not gone because its owner pid may still be it
};
RunVerdict JudgeRun(const RunOwner& owner, const RunFacts& facts);
// The session a run's processes share: its owner's, or the owner's pid for a version 1 ledger
// (httpd's detached parent leads its session).
pid_t SessionOf(const RunOwner& owner);

// A set the previous (dead) owner recorded. `stat_status` is IPC_STAT of its semid now; `now`
// the probed set when that worked; `last_pid_alive` whether now.last_pid runs;
// `invisible_ok` whether a last user we cannot see may be taken as gone (JudgeRun by_lock).
Verdict JudgeRecordedSet(const RecordedSet& rec, const Status& stat_status, const SemSet& now,
                         bool last_pid_alive, bool invisible_ok = false);

// Free and abandoned: value 1, nobody waits, and the last-operation pid is visible and dead
// (or, with `invisible_ok`, not visible from here at all: GETPID says 0 for a process of
// another pid namespace). Both removal paths require it, on the reads made just before
// IPC_RMID, which follows them at once (no second read).
Verdict JudgeFree(const SemSet& now, bool last_pid_alive, bool invisible_ok = false);

// A set the previous run made after its last ledger write (it crashed in between): httpd's
// mutex shape, made by the starting uid, last touched by the run's owner (APR's SETVAL makes
// the creator the last-op pid until first use), no older than that write.
bool MadeByCrashedRun(const SemSet& probed, const LedgerOwner& owner, uid_t starter);

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
