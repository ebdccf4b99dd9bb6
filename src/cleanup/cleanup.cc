#include "cleanup/cleanup.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "base/file_names.h"
#include "ledger/ledger_file.h"

namespace semguard {
namespace {

std::string Describe(const SemSet& s) { return "semaphore set " + std::to_string(s.semid); }

}  // namespace

std::string Cleanup::Started(const ProcessIdentity& owner) {
  time_t boot = static_cast<time_t>(ReadBootTime());
  long ticks = sysconf(_SC_CLK_TCK);
  const std::string boot_id = ReadBootId();
  if (boot_id != "unknown" && owner.boot_id != "unknown" && owner.boot_id != boot_id) {
    return "started in an earlier boot";
  }
  if (boot == 0 || ticks <= 0 || boot_id == "unknown" || owner.boot_id == "unknown") {
    return "start time unknown";
  }
  time_t at = boot + static_cast<time_t>(owner.start_time / static_cast<uint64_t>(ticks));
  char buf[64];
  struct tm tm {};
  localtime_r(&at, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string("started ") + buf;
}

bool Cleanup::LastUserAlive(const SemSet& s) {
  if (s.last_pid == 0) return false;
  auto it = alive_.find(s.last_pid);
  if (it == alive_.end()) it = alive_.emplace(s.last_pid, procs_->Alive(s.last_pid)).first;
  return it->second;
}

CleanupReport Cleanup::Run(const CleanupInput& in) {
  auto t0 = std::chrono::steady_clock::now();
  alive_.clear();
  runs_.clear();
  ForgetTable();
  in_run_ = true;
  lines_.Start(in.loud_per_set_lines);
  CleanupReport report;
  bool crashed_search = false;
  if (in.mode != CleanupMode::kOff && in.previous != nullptr) {
    crashed_search = CleanPreviousRun(in, &report);
  }
  if (crashed_search) FindCrashedRunSets(in, &report);
  if (in.adopt != AdoptMode::kOff) Adopt(in, &report);
  report.millis =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  lines_.Summarize();
  log_(Level::kNotice, "SG00017",
       "startup cleanup: " + std::to_string(report.removed) +
           " leftover set(s) of the previous run removed, " + std::to_string(report.skipped) +
           " skipped, " + std::to_string(report.candidates) + " adoption candidate(s) found, " +
           std::to_string(report.adopted) + " adopted and removed (" +
           std::to_string(static_cast<long>(report.millis + 0.5)) + " ms)");
  DiagnoseFullTable(in);
  in_run_ = false;
  return report;
}

void Cleanup::ForgetTable() {
  live_ledgers_ = LiveLedgers{};
  own_table_.clear();
  table_ = nullptr;
  table_read_ = false;
  rows_fresh_ = false;
  removed_.clear();
}

const std::vector<SemSet>* Cleanup::Table(const CleanupInput& in) {
  if (table_read_) return table_;
  table_read_ = true;
  if (in.table != nullptr) {
    table_ = in.table;
  } else if (sysv_->Scan(&own_table_).ok()) {
    table_ = &own_table_;
    rows_fresh_ = true;
  }
  return table_;
}

bool Cleanup::ReadAgain(const SemSet& row, SemSet* now) {
  if (rows_fresh_) {
    *now = row;
  } else if (!sysv_->Stat(row.semid, now).ok() || !SameIdentity(row, *now)) {
    return false;  // gone, or the semid names another set now: not the set that was picked
  }
  return sysv_->Probe(now).ok();
}

void Cleanup::Removed(const SemSet& s, CleanupReport* report) {
  removed_.insert(s.semid);
  report->removed_sets.push_back(s);
}

namespace {

std::string RunKey(const RunOwner& o) {
  return std::to_string(o.process.pid) + "/" + std::to_string(o.process.start_time) + "/" +
         std::to_string(o.process.pid_ns) + "/" + o.process.boot_id + "/" +
         std::to_string(o.lock.dev) + ":" + std::to_string(o.lock.ino);
}

RecordedSet Inherited(const RecordedSet& rec, const RunOwner& owner) {
  RecordedSet kept = rec;
  kept.inherited = true;
  kept.owner = owner;
  return kept;
}

}  // namespace

RunVerdict Cleanup::JudgeRunOnce(const RunOwner& owner, const CleanupInput& in) {
  const std::string key = RunKey(owner);
  auto it = runs_.find(key);
  if (it != runs_.end()) return it->second;
  RunFacts f;
  f.lock_now = in.lock_now;
  f.self_pid_ns = in.self_pid_ns;
  // A pid of another namespace means nothing here: read it only in ours.
  if (owner.process.pid_ns == in.self_pid_ns) {
    f.owner_alive = procs_->Alive(owner.process.pid);
    f.owner_status = f.owner_alive ? procs_->Identity(owner.process.pid, &f.owner_now)
                                   : Status::NotFound("gone");
    if (f.owner_status.code() == Status::Code::kNotFound) f.owner_alive = false;  // just exited
    for (pid_t p : procs_->SessionMembers(SessionOf(owner))) {
      if (p != in.self) f.session_members.push_back(p);
    }
  }
  return runs_[key] = JudgeRun(owner, f);
}

Cleanup::Outcome Cleanup::JudgeAndRemove(const RecordedSet& rec, const RunVerdict& run,
                                         const CleanupInput& in, std::string* why) {
  SemSet now;
  Status st = sysv_->Stat(rec.set.semid, &now);
  if (!run.gone) {
    // Nothing may go; only what is gone (the semid names nothing, or another set) is dropped.
    if (st.code() == Status::Code::kNotFound || (st.ok() && !SameIdentity(rec.set, now))) {
      return Outcome::kGone;
    }
    *why = run.why;
    return Outcome::kKept;
  }
  // The ledger may lie (copied from another instance, restored from a backup, forged): a set
  // that a live instance's ledger also names is that instance's, whatever this one says.
  if (st.ok() && SameIdentity(rec.set, now)) {
    const LiveLedgers& live = ReadLiveLedgers(in);
    auto other = live.sets.find(rec.set.semid);
    if (other != live.sets.end()) {
      *why = "the ledger of a live instance, " + other->second + ", records it too";
      return Outcome::kKept;
    }
  }
  if (st.ok()) st = sysv_->Probe(&now);
  Verdict v = JudgeRecordedSet(rec, st, now, st.ok() && LastUserAlive(now), run.by_lock);
  if (v.kind == Verdict::kGone) return Outcome::kGone;
  if (v.kind == Verdict::kRemove && in.mode == CleanupMode::kReport) {
    v = {Verdict::kSkip, "SemGuardCleanup Report: would be removed"};
  }
  if (v.kind == Verdict::kRemove) {
    // The reads that judged it were the last thing before this: nothing runs in between.
    Status removed = sysv_->Remove(rec.set.semid);
    if (removed.ok()) return Outcome::kRemoved;
    if (removed.code() == Status::Code::kNotFound) return Outcome::kGone;  // someone else did
    v = {Verdict::kSkip, "removal failed: " + removed.message()};
  }
  *why = v.reason;
  return Outcome::kKept;
}

bool Cleanup::CleanPreviousRun(const CleanupInput& in, CleanupReport* report) {
  const Ledger& prev = *in.previous;
  const RunOwner owner{prev.owner.process, prev.owner.lock};
  report->previous_owner = owner.process.pid;
  RunVerdict run = JudgeRunOnce(owner, in);
  const std::string whose =
      "the previous run (pid " + std::to_string(owner.process.pid) + ", " +
      Started(owner.process) + ")";
  if (!run.gone) {
    const bool alive = run.owner_may_live;
    log_(Level::kWarn, alive ? "SG00022" : "SG00031",
         std::string(alive ? "the previous run's owner may be alive (" :
                             "the previous run cannot be proven gone (") +
             run.why + "); its " + std::to_string(prev.sets.size()) +
             " recorded set(s) are kept in the ledger and tried again later");
  } else if (!prev.sets.empty()) {
    log_(Level::kNotice, "SG00025",
         "the previous run's owner is dead (" + run.why + "); checking the " +
             std::to_string(prev.sets.size()) + " set(s) its ledger records");
  }
  for (const RecordedSet& rec : prev.sets) {
    const RunOwner set_owner = OwnerOf(prev, rec);
    const RunVerdict set_run = rec.inherited ? JudgeRunOnce(set_owner, in) : run;
    std::string why;
    Outcome out = JudgeAndRemove(rec, set_run, in, &why);
    if (out == Outcome::kGone) {
      ++report->gone;
    } else if (out == Outcome::kRemoved) {
      ++report->removed;
      Removed(rec.set, report);
      lines_.Removed("SG00015",
           "removed " + Describe(rec.set) + " (" + rec.type + ") left by " +
               (rec.inherited ? "an earlier run (pid " + std::to_string(set_owner.process.pid) +
                                    ")"
                              : whose));
    } else {
      ++report->skipped;
      report->skips.emplace_back(rec.set.semid, why);
      report->kept.push_back(Inherited(rec, set_owner));
      if (run.gone || rec.inherited) {
        lines_.Kept("SG00016",
             "kept " + Describe(rec.set) + " (" + rec.type + ") recorded by " +
                 (rec.inherited ? "an earlier run (pid " +
                                      std::to_string(set_owner.process.pid) + ")"
                                : whose) +
                 ": " + why + "; it stays in the ledger");
      }
    }
  }
  return run.gone && owner.process.pid_ns == in.self_pid_ns;
}

void Cleanup::FindCrashedRunSets(const CleanupInput& in, CleanupReport* report) {
  const Ledger& prev = *in.previous;
  std::set<int> recorded;
  for (const RecordedSet& r : prev.sets) recorded.insert(r.set.semid);
  const std::vector<SemSet>* table = Table(in);
  if (table == nullptr) return;
  for (const SemSet& row : *table) {
    if (recorded.count(row.semid) || removed_.count(row.semid) || !LooksLikeHttpdMutex(row) ||
        row.cuid != in.shape.starter_uid) {
      continue;
    }
    // What MadeByCrashedRun asks of the row itself rules most sets out before any read, and the
    // last-operation pid, one read, most of the rest. A set that passes is read again in full
    // and judged on those reads alone.
    if (row.mode != 0600 || row.ctime < prev.owner.written_at) continue;
    pid_t last_pid = 0;
    if (!sysv_->LastPid(row.semid, &last_pid).ok() || last_pid != prev.owner.process.pid) {
      continue;
    }
    SemSet s;
    if (!ReadAgain(row, &s) || !MadeByCrashedRun(s, prev.owner, in.shape.starter_uid)) {
      continue;
    }
    Verdict v = JudgeFree(s, LastUserAlive(s));
    if (v.kind == Verdict::kRemove && in.mode == CleanupMode::kReport) {
      v = {Verdict::kSkip, "SemGuardCleanup Report: would be removed"};
    }
    if (v.kind == Verdict::kRemove) {
      Status removed = sysv_->Remove(s.semid);  // right after the reads that judged it
      if (removed.ok()) {
        ++report->removed;
        Removed(s, report);
        lines_.Removed("SG00030",
             "removed " + Describe(s) + ", made by the previous run (pid " +
                 std::to_string(prev.owner.process.pid) +
                 ") after its last ledger write: that start died before recording it");
        continue;
      }
      if (removed.code() == Status::Code::kNotFound) continue;
      v = {Verdict::kSkip, "removal failed: " + removed.message()};
    }
    RecordedSet rec;
    rec.set = s;
    rec.type = "unrecorded";
    rec.creator_pid = s.last_pid;
    rec.generation = prev.owner.generation;
    ++report->skipped;
    report->skips.emplace_back(s.semid, v.reason);
    report->kept.push_back(Inherited(rec, RunOwner{prev.owner.process, prev.owner.lock}));
    lines_.Kept("SG00016",
         "kept " + Describe(s) + ", made by the previous run (pid " +
             std::to_string(prev.owner.process.pid) + ") after its last ledger write: " +
             v.reason + "; it stays in the ledger");
  }
  // The rows are older than the reads above now: whoever picks from them next reads each again.
  rows_fresh_ = false;
}

int Cleanup::RetryInherited(const CleanupInput& in, std::vector<RecordedSet>* inherited) {
  alive_.clear();
  runs_.clear();
  live_ledgers_ = LiveLedgers{};
  lines_.Start(in.loud_per_set_lines);
  int left = 0;
  std::vector<RecordedSet> still;
  for (const RecordedSet& rec : *inherited) {
    const RunVerdict run = JudgeRunOnce(rec.owner, in);
    std::string why;
    Outcome out = JudgeAndRemove(rec, run, in, &why);
    if (out == Outcome::kKept) {
      still.push_back(rec);
      continue;
    }
    ++left;
    if (out == Outcome::kRemoved) {
      lines_.Removed("SG00033", "removed " + Describe(rec.set) + " (" + rec.type +
                                    "), kept earlier for the run of pid " +
                                    std::to_string(rec.owner.process.pid) + ": " + run.why);
    }
  }
  lines_.Summarize();
  *inherited = std::move(still);
  return left;
}

AdoptionScan Cleanup::FindAdoptionCandidates(const CleanupInput& in, const CandidateFn& each) {
  if (!in_run_) ForgetTable();
  AdoptionScan scan;
  // Sets some ledger accounts for: this instance's previous one, and every live instance's.
  std::set<int> accounted(in.own_sets.begin(), in.own_sets.end());
  if (in.previous != nullptr) {
    for (const RecordedSet& r : in.previous->sets) accounted.insert(r.set.semid);
  }
  // The table may be older than the live instances' ledgers read below (the caller's scan).
  // Either order leaves the same gap: a set a live instance made but has not written to its
  // ledger yet. Such a set still has that live process as its last user, so it is no candidate.
  const std::vector<SemSet>* table = Table(in);
  const LiveLedgers& live = ReadLiveLedgers(in);
  scan.blocker = live.blocker;
  for (const auto& entry : live.sets) accounted.insert(entry.first);
  if (table == nullptr) return scan;
  for (const SemSet& row : *table) {
    if (accounted.count(row.semid) || removed_.count(row.semid) ||
        !HasHttpdShape(row, in.shape)) {
      continue;
    }
    SemSet s;
    if (!ReadAgain(row, &s) || !HasHttpdShape(s, in.shape)) continue;
    if (JudgeAdoptionCandidate(s, LastUserAlive(s)).kind != Verdict::kRemove) continue;
    ++scan.candidates;
    if (each) each(s, scan.blocker);
  }
  return scan;
}

// The ledgers of the instances whose locks live httpd processes hold, each found by its lock
// file's identity (JudgeHeldLock); the first one that cannot be read becomes the blocker.
const Cleanup::LiveLedgers& Cleanup::ReadLiveLedgers(const CleanupInput& in) {
  if (live_ledgers_.read) return live_ledgers_;
  live_ledgers_.read = true;
  const std::vector<HttpdProcess> live =
      procs_->HttpdProcesses(in.self_exe, in.self, in.shape.starter_uid);
  std::string* blocker = &live_ledgers_.blocker;
  *blocker = AdoptionBlocker(live);
  FileId own;
  const bool know_own = !in.own_lock_path.empty() && procs_->FileAt(in.own_lock_path, &own).ok();
  std::set<FileId> seen;
  for (const HttpdProcess& p : live) {
    for (const HeldLockFile& lock : p.locks) {
      if (!seen.insert(lock.id).second) continue;
      FileId here;
      Status here_status = procs_->FileAt(lock.path, &here);
      HeldLockVerdict v = JudgeHeldLock(p, lock, know_own ? &own : nullptr, here_status, here,
                                        in.shape.starter_uid);
      std::string why = v.blocker;
      if (v.kind == HeldLockVerdict::kReadLedger) {
        Ledger ledger;
        Status st = ReadLedgerFile(v.ledger_path, in.ledger_owner, &ledger);
        if (st.ok()) {
          for (const RecordedSet& r : ledger.sets) {
            live_ledgers_.sets.emplace(r.set.semid, v.ledger_path);
          }
          continue;
        }
        why = "the ledger of a live instance cannot be read (" + st.message() + ")";
      }
      if (!why.empty() && blocker->empty()) *blocker = why;
    }
  }
  return live_ledgers_;
}

void Cleanup::Adopt(const CleanupInput& in, CleanupReport* report) {
  if (in.adopt == AdoptMode::kAuto) return AdoptWhenShort(in, report);
  AdoptionScan scan = FindAdoptionCandidates(in, [&](const SemSet& s, const std::string& blocker) {
    if (in.adopt == AdoptMode::kRemove && blocker.empty()) return RemoveCandidate(s, report);
    std::string why = in.adopt == AdoptMode::kRemove ? "not removed: " + blocker
                      : blocker.empty()
                          ? "SemGuardAdopt Remove would remove it"
                          : "SemGuardAdopt Remove would not remove it now: " + blocker;
    lines_.Kept("SG00018",
         Describe(s) + " looks like an httpd leftover no ledger knows (free, last used by pid " +
             std::to_string(s.last_pid) + ", gone); " + why);
  });
  report->candidates = scan.candidates;
}

void Cleanup::RemoveCandidate(const SemSet& s, CleanupReport* report) {
  // Judged on reads made just now, with nothing in between.
  Status removed = sysv_->Remove(s.semid);
  if (removed.ok()) {
    ++report->adopted;
    Removed(s, report);
    lines_.Removed("SG00019",
         "removed " + Describe(s) + ", an httpd-shaped leftover no ledger knows (last used by "
         "pid " + std::to_string(s.last_pid) + ", gone)");
  } else if (removed.code() != Status::Code::kNotFound) {  // gone already: nothing to say
    lines_.Kept("SG00024", "could not remove " + Describe(s) + ": " + removed.message());
  }
}

namespace {

std::string RoomFigures(const TableInfo& info) {
  return std::to_string(info.sets_limit - info.sets_in_use) + " of " +
         std::to_string(info.sets_limit) + " sets (SEMMNI) and " +
         std::to_string(info.sems_limit - info.sems_in_use) + " of " +
         std::to_string(info.sems_limit) + " semaphores (SEMMNS) free";
}

}  // namespace

void Cleanup::AdoptWhenShort(const CleanupInput& in, CleanupReport* report) {
  // Measured after this instance's own leftovers went: only a start that would still fail
  // takes sets no ledger knows, and then exactly those Remove would take.
  const Room room = MeasureRoom(in);
  std::string blocked;
  AdoptionScan scan = FindAdoptionCandidates(in, [&](const SemSet& s, const std::string& blocker) {
    if (!room.enough && blocker.empty()) return RemoveCandidate(s, report);
    if (!room.enough) {  // said once below, for all of them
      blocked = blocker;
      return;
    }
    lines_.Kept("SG00018",
         Describe(s) + " looks like an httpd leftover no ledger knows (free, last used by pid " +
             std::to_string(s.last_pid) + ", gone); " +
             (blocker.empty() ? "SemGuardAdopt Auto removes it only when a start cannot fit its "
                                "sets in the kernel's table"
                              : "SemGuardAdopt Remove would not remove it now: " + blocker));
  });
  report->candidates = scan.candidates;
  if (room.enough || scan.candidates == 0) return;
  const std::string shortage = "the kernel's semaphore table could not fit this start (" +
                               RoomFigures(room.info) + "; " + room.needed_how +
                               std::to_string(room.needed) + ")";
  if (!blocked.empty()) {
    log_(Level::kError, "SG00061",
         shortage + ", but SemGuardAdopt Auto removed none of the " +
             std::to_string(scan.candidates) + " httpd-shaped leftover(s) no ledger knows: " +
             blocked + ", whose sets cannot be told from leftovers. Load mod_semguard in that "
             "server too, or stop it and start this one again, or raise SEMMNI and SEMMNS "
             "(sysctl kernel.sem)");
    return;
  }
  log_(Level::kWarn, "SG00060",
       shortage + ", so SemGuardAdopt Auto removed " + std::to_string(report->adopted) + " of " +
           std::to_string(scan.candidates) + " httpd-shaped leftover(s) no ledger knows (free, "
           "last users gone, no live httpd without mod_semguard); 'ipcs -s -c' shows who "
           "holds the rest of the table");
}

Cleanup::Room Cleanup::MeasureRoom(const CleanupInput& in) {
  Room room;
  if (!sysv_->Info(&room.info).ok() || room.info.sets_limit <= 0) return room;
  room.known = true;
  // What the last run made; prefork with two Listen and mod_ssl makes 2 when nothing is known.
  room.needed = in.sets_per_run > 0 ? in.sets_per_run : kTypicalSetsPerRun;
  room.needed_how = in.sets_per_run > 0 ? "this server's last run made "
                                        : "a server like this typically makes ";
  // semget fails with ENOSPC when either the sets (SEMMNI) or the semaphores (SEMMNS) run out;
  // httpd's sets have one semaphore each.
  room.enough = room.info.sets_limit - room.info.sets_in_use >= room.needed &&
                room.info.sems_limit - room.info.sems_in_use >= room.needed;
  return room;
}

void Cleanup::DiagnoseFullTable(const CleanupInput& in) {
  const Room room = MeasureRoom(in);
  if (!room.known || room.enough) return;
  const TableInfo& info = room.info;
  const int needed = room.needed;
  const std::string& needed_how = room.needed_how;
  std::map<uid_t, int> by_owner;
  if (const std::vector<SemSet>* table = Table(in)) {
    for (const SemSet& s : *table) {
      if (!removed_.count(s.semid)) ++by_owner[s.uid];
    }
  }
  std::string owners;
  for (const auto& [uid, n] : by_owner) {
    owners += (owners.empty() ? "" : ", ") + std::string("uid ") + std::to_string(uid) + ": " +
              std::to_string(n);
  }
  log_(Level::kError, "SG00021",
       "the kernel's semaphore table is nearly full: " + std::to_string(info.sets_in_use) + " of " +
           std::to_string(info.sets_limit) + " sets (SEMMNI) and " +
           std::to_string(info.sems_in_use) + " of " + std::to_string(info.sems_limit) +
           " semaphores (SEMMNS) in use; sets by owner " + owners + "; " + needed_how +
           std::to_string(needed) +
           ", so its start will likely fail with 'No space left on device' (AH00023). Find the "
           "leftovers with 'ipcs -s -c', let SemGuardAdopt Remove take httpd's, or raise SEMMNI "
           "and SEMMNS (the 4th and 2nd fields of sysctl kernel.sem)");
}

}  // namespace semguard
