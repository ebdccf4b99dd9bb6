// semguardctl explain SEMID: the core's judges applied to one set, one line each.
#include <unistd.h>

#include <cstdio>

#include "cleanup/cleanup_policy.h"
#include "os/process_table.h"
#include "os/sysv.h"
#include "semguardctl/commands.h"
#include "semguardctl/explain_output.h"
#include "semguardctl/host_view.h"
#include "semguardctl/list_output.h"
#include "semguardctl/names.h"

namespace semguardctl {
namespace {

using semguard::Status;

std::string VerdictWords(const semguard::Verdict& v, const std::string& yes) {
  return v.kind == semguard::Verdict::kRemove ? yes : v.reason;
}

// A set its ledger records: the cleanup of that ledger judges it.
void ExplainRecorded(const HostView& v, const SetView& s, semguard::ProcessTable& procs,
                     Explanation* e) {
  const LedgerView& l = v.ledgers[static_cast<size_t>(s.ledger)];
  e->path = "recorded";
  e->rules.push_back(
      {"ledger", true, l.path + " records it as " + s.type + ", with the identity it has now"});
  const semguard::ProcessIdentity& owner = l.ledger.owner.process;
  bool alive = procs.Alive(owner.pid);
  semguard::ProcessIdentity now;
  Status now_status = alive ? procs.Identity(owner.pid, &now) : Status::NotFound("gone");
  if (now_status.code() == Status::Code::kNotFound) alive = false;
  semguard::OwnerVerdict owner_verdict = semguard::JudgeOwner(owner, alive, now_status, now);
  e->rules.push_back({"JudgeOwner", owner_verdict.dead, owner_verdict.why});
  std::string holders;
  for (pid_t p : l.lock_holders) holders += (holders.empty() ? "" : " ") + std::to_string(p);
  e->rules.push_back({"instance lock", l.lock_holders.empty(),
                      holders.empty() ? "no live httpd process holds " + l.path +
                                            ".lock (cleanup takes it, and refuses if it cannot)"
                                      : "held by live httpd pid " + holders});
  semguard::RecordedSet rec;
  for (const semguard::RecordedSet& r : l.ledger.sets) {
    if (r.set.semid == s.set.semid) rec = r;
  }
  semguard::Verdict set_verdict =
      semguard::JudgeRecordedSet(rec, s.probe, s.set, s.last_user_alive);
  e->rules.push_back({"JudgeRecordedSet", set_verdict.kind == semguard::Verdict::kRemove,
                      VerdictWords(set_verdict,
                                   "the very set recorded, free, nobody waits, its "
                                   "last user (pid " +
                                       std::to_string(s.set.last_pid) + ") is gone")});
  bool all = true;
  for (const RuleLine& r : e->rules) all = all && r.pass;
  e->would_remove = all;
  e->how = all ? "semguardctl cleanup --ledger " + l.path
               : "a rule above fails, so neither the next start nor semguardctl cleanup removes it";
}

// A set no ledger records: only SemGuardAdopt Remove (--adopt remove) could take it.
void ExplainAdoption(const HostView& v, const SetView& s, Explanation* e) {
  e->path = "adoption";
  std::string unreadable, reused;
  for (const LedgerView& l : v.ledgers) {
    if (!l.status.ok()) {
      unreadable += (unreadable.empty() ? "" : ", ") + l.path;
      continue;
    }
    for (const semguard::RecordedSet& r : l.ledger.sets) {
      if (r.set.semid == s.set.semid) reused += (reused.empty() ? "" : ", ") + l.path;
    }
  }
  std::string in_no_ledger =
      "none of the " + std::to_string(v.ledgers.size()) + " ledger(s) found records it";
  if (!reused.empty()) {
    in_no_ledger += " (" + reused + " records semid " + std::to_string(s.set.semid) +
                    " for an earlier set: creation time, creator, key, mode or size differ)";
  }
  if (!unreadable.empty()) in_no_ledger += "; unreadable: " + unreadable;
  e->rules.push_back({"ledger", true, in_no_ledger});
  const bool shape = semguard::HasHttpdShape(
      s.set, semguard::AdoptionShape{v.starter, v.settings.user, v.settings.group});
  char facts[256];
  std::snprintf(facts, sizeof(facts),
                "key 0x%08x, %lu semaphore(s), creator %s, owner %s, mode %03o",
                static_cast<unsigned>(s.set.key), s.set.nsems, UserName(s.set.cuid).c_str(),
                OwnerText(s.set.uid, s.set.gid).c_str(), s.set.mode);
  e->rules.push_back({"HasHttpdShape", shape,
                      std::string(facts) + (shape ? ": " : ": not ") +
                          "the shape of httpd's mutexes made by " + UserName(v.starter) +
                          " for User/Group " + OwnerText(v.settings.user, v.settings.group) + " (" +
                          v.shape_from + ")"});
  semguard::Verdict free =
      s.probe.ok() ? semguard::JudgeFree(s.set, s.last_user_alive)
                   : semguard::Verdict{semguard::Verdict::kSkip,
                                       "its state cannot be read: " + s.probe.message()};
  e->rules.push_back({"JudgeFree", free.kind == semguard::Verdict::kRemove,
                      VerdictWords(free, "free, nobody waits, its last user (pid " +
                                             std::to_string(s.set.last_pid) + ") is gone")});
  e->rules.push_back({"AdoptionBlocker", v.adoption_blocker.empty(),
                      v.adoption_blocker.empty()
                          ? "every live httpd process holds a semguard instance lock"
                          : v.adoption_blocker});
  // The verdict is the core's own scan (FindAdoptionCandidates), not a sum of the lines.
  e->would_remove = s.mark == Mark::kCandidate && s.removable;
  if (e->would_remove) {
    e->how =
        "semguardctl cleanup --adopt remove --ledger FILE (or SemGuardAdopt Remove at a start)";
  } else if (s.mark == Mark::kCandidate) {
    e->how = "an adoption candidate, but " + s.why;
  } else {
    e->how = "not an adoption candidate: nothing removes it";
  }
}

}  // namespace

int RunExplain(const Options& opts) {
  semguard::ProcessTable& procs = semguard::RealProcessTable();
  HostView v;
  Status st = BuildHostView(opts, true, semguard::RealSysV(), procs, &v);
  if (!st.ok()) {
    PrintError(st.message());
    return kExitUsage;
  }
  if (!v.table_status.ok()) {
    PrintError("cannot read the semaphore table: " + v.table_status.message());
    return kExitFailure;
  }
  Explanation e;
  e.semid = opts.semid;
  const SetView* found = nullptr;
  for (const SetView& s : v.sets) {
    if (s.set.semid == opts.semid) found = &s;
  }
  e.exists = found != nullptr;
  if (found != nullptr) {
    if (found->ledger >= 0)
      ExplainRecorded(v, *found, procs, &e);
    else
      ExplainAdoption(v, *found, &e);
  }
  const std::string out = opts.json ? ExplainJson(e, v, found) : ExplainText(e, v, found);
  std::fputs(out.c_str(), stdout);
  if (found == nullptr) {
    PrintError("no semaphore set " + std::to_string(opts.semid) + " (see 'semguardctl list')");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace semguardctl
