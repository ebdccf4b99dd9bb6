#include "cleanup/cleanup_policy.h"

#include "base/file_names.h"

namespace semguard {

OwnerVerdict JudgeOwner(const ProcessIdentity& recorded, bool alive, const Status& now_status,
                        const ProcessIdentity& now) {
  const std::string pid = "pid " + std::to_string(recorded.pid);
  if (!alive) return {true, pid + " is gone"};
  if (!now_status.ok())
    return {false, pid + " runs but cannot be identified: " + now_status.message()};
  // An unknown boot id ("unknown") is no evidence either way.
  if (now.boot_id != "unknown" && recorded.boot_id != "unknown" &&
      now.boot_id != recorded.boot_id) {
    return {true, pid + " was recorded in an earlier boot"};
  }
  if (now.pid_ns != recorded.pid_ns)
    return {true, pid + " now names a process of another pid namespace"};
  if (now.start_time != recorded.start_time)
    return {true, pid + " now names another process (start time differs)"};
  return {false, pid + " is still running (same start time)"};
}

namespace {

std::string Id(const FileId& id) {
  return std::to_string(id.dev) + ":" + std::to_string(id.ino);
}

std::string Pids(const std::vector<pid_t>& pids) {
  std::string out;
  for (size_t i = 0; i < pids.size() && i < 8; ++i) {
    out += (out.empty() ? "" : " ") + std::to_string(pids[i]);
  }
  return out + (pids.size() > 8 ? " ..." : "");
}

}  // namespace

pid_t SessionOf(const RunOwner& owner) {
  return owner.process.session > 0 ? owner.process.session : owner.process.pid;
}

RunVerdict JudgeRun(const RunOwner& owner, const RunFacts& f) {
  const bool same_ns = owner.process.pid_ns == f.self_pid_ns;
  std::string dead_why;
  if (same_ns) {
    OwnerVerdict ov = JudgeOwner(owner.process, f.owner_alive, f.owner_status, f.owner_now);
    if (!ov.dead) return {false, false, ov.why, true};
    dead_why = ov.why + "; ";
  }
  if (owner.lock.known() && f.lock_now.known() && owner.lock == f.lock_now) {
    // Any holder can let go of a shared flock (LOCK_UN on an inherited descriptor), so where
    // the run's session can be seen, a free lock proves nothing while that session lives.
    if (same_ns && SessionOf(owner) == owner.process.pid && !f.session_members.empty()) {
      return {false, false, "the instance lock it held is free, yet processes of its session "
                            "(sid " + std::to_string(owner.process.pid) + ") still run: " +
                                Pids(f.session_members) + " (did one of them let go of it?)"};
    }
    return {true, true, dead_why + "the instance lock it held (file " + Id(owner.lock) +
                            ") is ours now: every process of that run is gone"};
  }
  const std::string lock_why =
      owner.lock.known()
          ? "the lock file it held (" + Id(owner.lock) + ") is not the one locked now (" +
                Id(f.lock_now) + "): it was deleted or replaced, so the lock proves nothing"
          : "its ledger does not say which lock file it held, so the lock proves nothing";
  if (!same_ns) {
    return {false, false, lock_why + ", and its pid namespace is not ours, so its processes "
                          "cannot be looked for"};
  }
  const pid_t sid = SessionOf(owner);
  if (sid != owner.process.pid) {
    return {false, false, lock_why + ", and it did not lead its own session (sid " +
                              std::to_string(sid) + "), so its processes cannot be told apart"};
  }
  if (!f.session_members.empty()) {
    return {false, false, lock_why + ", and processes of its session (sid " +
                              std::to_string(sid) + ") still run: " + Pids(f.session_members)};
  }
  return {true, false, dead_why + lock_why + "; but no process of its session (sid " +
                           std::to_string(sid) + ") is left"};
}

bool MadeByCrashedRun(const SemSet& probed, const LedgerOwner& owner, uid_t starter) {
  return probed.probed && LooksLikeHttpdMutex(probed) && probed.cuid == starter &&
         probed.mode == 0600 && probed.last_pid == owner.process.pid &&
         probed.ctime >= owner.written_at;
}

Verdict JudgeRecordedSet(const RecordedSet& rec, const Status& stat_status, const SemSet& now,
                         bool last_pid_alive, bool invisible_ok) {
  if (!stat_status.ok()) {
    if (stat_status.code() == Status::Code::kNotFound) return {Verdict::kGone, "already gone"};
    return {Verdict::kSkip, "cannot be examined: " + stat_status.message()};
  }
  if (!SameIdentity(rec.set, now)) {
    return {Verdict::kSkip, "its semid now names another set (creation time, creator, key, mode "
                            "or size differ from the ledger)"};
  }
  return JudgeFree(now, last_pid_alive, invisible_ok);
}

Verdict JudgeFree(const SemSet& now, bool last_pid_alive, bool invisible_ok) {
  if (!now.probed) return {Verdict::kSkip, "its state cannot be read"};
  if (now.value != 1)
    return {Verdict::kSkip, "in use: not free (value " + std::to_string(now.value) + ")"};
  if (now.waiters > 0) {
    return {Verdict::kSkip, "in use: " + std::to_string(now.waiters) + " process(es) wait on it"};
  }
  if (now.last_pid == 0) {
    if (invisible_ok) return {Verdict::kRemove, ""};
    return {Verdict::kSkip, "its last user is not visible from here"};
  }
  if (last_pid_alive) {
    return {Verdict::kSkip,
            "in use: its last user, pid " + std::to_string(now.last_pid) + ", is alive"};
  }
  return {Verdict::kRemove, ""};
}

bool HasHttpdShape(const SemSet& set, const AdoptionShape& shape) {
  return LooksLikeHttpdMutex(set) && set.cuid == shape.starter_uid && set.uid == shape.user &&
         set.gid == shape.group && set.mode == 0600;
}

Verdict JudgeAdoptionCandidate(const SemSet& probed, bool last_pid_alive) {
  return JudgeFree(probed, last_pid_alive);
}

std::string AdoptionBlocker(const std::vector<HttpdProcess>& live_httpd) {
  std::string unguarded;
  for (const HttpdProcess& p : live_httpd) {
    if (!p.starter || !p.locks.empty()) continue;
    unguarded += (unguarded.empty() ? "" : ", ") + std::to_string(p.pid);
  }
  if (unguarded.empty()) return "";
  return "live httpd process(es) without mod_semguard (pid " + unguarded +
         ") could own these sets";
}

HeldLockVerdict JudgeHeldLock(const HttpdProcess& holder, const HeldLockFile& lock,
                              const FileId* own, const Status& here_status, const FileId& here,
                              uid_t starter) {
  if (own != nullptr && lock.id == *own) return {HeldLockVerdict::kOwn, "", ""};
  // Instance locks are made by the starting user in a folder only it (or root) can write; a
  // file of another owner is someone's imitation, and must neither block nor account.
  if (lock.owner != starter) return {HeldLockVerdict::kNotOurs, "", ""};
  if (here_status.ok() && here == lock.id) {
    return {HeldLockVerdict::kReadLedger, LedgerPathOfLock(lock.path), ""};
  }
  const std::string pid = "live httpd pid " + std::to_string(holder.pid);
  if (holder.other_mount_ns) {
    return {HeldLockVerdict::kBlock, "",
            pid + " in another mount namespace: its ledger is not readable from here"};
  }
  return {HeldLockVerdict::kBlock, "",
          pid + " holds a lock that is no longer the file at " + lock.path +
              " (deleted or replaced): its ledger cannot be found"};
}

}  // namespace semguard
