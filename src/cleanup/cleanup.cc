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
  CleanupReport report;
  if (in.mode != CleanupMode::kOff && in.previous != nullptr) CleanPreviousRun(in, &report);
  if (in.adopt != AdoptMode::kOff) Adopt(in, &report);
  report.millis =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  log_(Level::kNotice, "SG00017",
       "startup cleanup: " + std::to_string(report.removed) +
           " leftover set(s) of the previous run removed, " + std::to_string(report.skipped) +
           " skipped, " + std::to_string(report.candidates) + " adoption candidate(s) found, " +
           std::to_string(report.adopted) + " adopted and removed (" +
           std::to_string(static_cast<long>(report.millis + 0.5)) + " ms)");
  DiagnoseFullTable(in);
  return report;
}

void Cleanup::CleanPreviousRun(const CleanupInput& in, CleanupReport* report) {
  const ProcessIdentity& owner = in.previous->owner.process;
  report->previous_owner = owner.pid;
  ProcessIdentity now_id;
  bool alive = procs_->Alive(owner.pid);
  Status now_status = alive ? procs_->Identity(owner.pid, &now_id) : Status::NotFound("gone");
  if (now_status.code() == Status::Code::kNotFound) alive = false;  // it exited in between
  OwnerVerdict verdict = JudgeOwner(owner, alive, now_status, now_id);
  if (!verdict.dead) {
    log_(Level::kWarn, "SG00022",
         "the previous run's owner may be alive (" + verdict.why + "); its " +
             std::to_string(in.previous->sets.size()) + " recorded set(s) are left alone");
    report->skipped += static_cast<int>(in.previous->sets.size());
    for (const RecordedSet& r : in.previous->sets)
      report->skips.emplace_back(r.set.semid, verdict.why);
    return;
  }
  const std::string whose =
      "the previous run (pid " + std::to_string(owner.pid) + ", " + Started(owner) + ")";
  if (!in.previous->sets.empty()) {
    log_(Level::kNotice, "SG00025",
         "the previous run's owner is dead (" + verdict.why + "); checking the " +
             std::to_string(in.previous->sets.size()) + " set(s) its ledger records");
  }
  for (const RecordedSet& rec : in.previous->sets) {
    SemSet now;
    Status st = sysv_->Stat(rec.set.semid, &now);
    if (st.ok()) st = sysv_->Probe(&now);
    Verdict v = JudgeRecordedSet(rec, st, now, st.ok() && LastUserAlive(now));
    if (v.kind == Verdict::kGone) {
      ++report->gone;
      continue;
    }
    if (v.kind == Verdict::kRemove && in.mode == CleanupMode::kReport) {
      v = {Verdict::kSkip, "SemGuardCleanup Report: would be removed"};
    }
    if (v.kind == Verdict::kRemove) {
      // The reads that judged it were the last thing before this: nothing runs in between.
      Status removed = sysv_->Remove(rec.set.semid);
      if (removed.ok()) {
        ++report->removed;
        log_(Level::kNotice, "SG00015",
             "removed " + Describe(rec.set) + " (" + rec.type + ") left by " + whose);
        continue;
      }
      if (removed.code() == Status::Code::kNotFound) {  // someone else removed it just now
        ++report->gone;
        continue;
      }
      v = {Verdict::kSkip, "removal failed: " + removed.message()};
    }
    ++report->skipped;
    report->skips.emplace_back(rec.set.semid, v.reason);
    log_(
        Level::kWarn, "SG00016",
        "kept " + Describe(rec.set) + " (" + rec.type + ") recorded by " + whose + ": " + v.reason);
  }
}

AdoptionScan Cleanup::FindAdoptionCandidates(const CleanupInput& in, const CandidateFn& each) {
  AdoptionScan scan;
  // Sets some ledger accounts for: this instance's previous one, and every live instance's.
  std::set<int> accounted(in.own_sets.begin(), in.own_sets.end());
  if (in.previous != nullptr) {
    for (const RecordedSet& r : in.previous->sets) accounted.insert(r.set.semid);
  }
  std::vector<HttpdProcess> live =
      procs_->HttpdProcesses(in.self_exe, in.self, in.shape.starter_uid);
  scan.blocker = AdoptionBlocker(live);
  AccountLiveLedgers(in, live, &accounted, &scan.blocker);

  std::vector<SemSet> table;
  if (!sysv_->Scan(&table).ok()) return scan;
  for (SemSet s : table) {
    if (accounted.count(s.semid) || !HasHttpdShape(s, in.shape)) continue;
    if (!sysv_->Probe(&s).ok()) continue;
    if (JudgeAdoptionCandidate(s, LastUserAlive(s)).kind != Verdict::kRemove) continue;
    ++scan.candidates;
    if (each) each(s, scan.blocker);
  }
  return scan;
}

// The ledgers of the instances whose locks live httpd processes hold, each found by its lock
// file's identity (JudgeHeldLock); the first one that cannot be read becomes the blocker.
void Cleanup::AccountLiveLedgers(const CleanupInput& in, const std::vector<HttpdProcess>& live,
                                 std::set<int>* accounted, std::string* blocker) {
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
          for (const RecordedSet& r : ledger.sets) accounted->insert(r.set.semid);
          continue;
        }
        why = "the ledger of a live instance cannot be read (" + st.message() + ")";
      }
      if (!why.empty() && blocker->empty()) *blocker = why;
    }
  }
}

void Cleanup::Adopt(const CleanupInput& in, CleanupReport* report) {
  AdoptionScan scan = FindAdoptionCandidates(in, [&](const SemSet& s, const std::string& blocker) {
    if (in.adopt == AdoptMode::kRemove && blocker.empty()) {
      // Judged on reads made just now, with nothing in between.
      Status removed = sysv_->Remove(s.semid);
      if (removed.ok()) {
        ++report->adopted;
        log_(Level::kNotice, "SG00019",
             "removed " + Describe(s) + ", an httpd-shaped leftover no ledger knows (last used by "
             "pid " + std::to_string(s.last_pid) + ", gone)");
      } else if (removed.code() != Status::Code::kNotFound) {  // gone already: nothing to say
        log_(Level::kWarn, "SG00024", "could not remove " + Describe(s) + ": " + removed.message());
      }
      return;
    }
    std::string why = in.adopt == AdoptMode::kRemove ? "not removed: " + blocker
                      : blocker.empty()
                          ? "SemGuardAdopt Remove would remove it"
                          : "SemGuardAdopt Remove would not remove it now: " + blocker;
    log_(Level::kWarn, "SG00018",
         Describe(s) + " looks like an httpd leftover no ledger knows (free, last used by pid " +
             std::to_string(s.last_pid) + ", gone); " + why);
  });
  report->candidates = scan.candidates;
}

void Cleanup::DiagnoseFullTable(const CleanupInput& in) {
  TableInfo info;
  if (!sysv_->Info(&info).ok() || info.sets_limit <= 0) return;
  // What the last run made; prefork with two Listen and mod_ssl makes 2 when nothing is known.
  const int needed = in.sets_per_run > 0 ? in.sets_per_run : 2;
  const std::string needed_how =
      in.sets_per_run > 0 ? "this server's last run made " : "a server like this typically makes ";
  // semget fails with ENOSPC when either the sets (SEMMNI) or the semaphores (SEMMNS) run out;
  // httpd's sets have one semaphore each.
  const bool sets_short = info.sets_limit - info.sets_in_use < needed;
  const bool sems_short = info.sems_limit - info.sems_in_use < needed;
  if (!sets_short && !sems_short) return;
  std::vector<SemSet> table;
  std::map<uid_t, int> by_owner;
  if (sysv_->Scan(&table).ok()) {
    for (const SemSet& s : table) ++by_owner[s.uid];
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
