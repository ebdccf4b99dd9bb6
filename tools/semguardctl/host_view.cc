#include "semguardctl/host_view.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/file_names.h"
#include "cleanup/cleanup.h"
#include "cleanup/cleanup_input.h"
#include "cleanup/cleanup_policy.h"
#include "ledger/ledger_store.h"
#include "semguardctl/names.h"

namespace semguardctl {

using semguard::Status;

const std::vector<std::string>& RuntimeFolders() {
  static const std::vector<std::string> folders = {"/run/apache2", "/var/run/apache2", "/run/httpd",
                                                   "/etc/httpd/run"};
  return folders;
}

const char* MarkName(Mark m) {
  switch (m) {
    case Mark::kLive:
      return "live";
    case Mark::kLeftover:
      return "leftover";
    case Mark::kCandidate:
      return "candidate";
    case Mark::kForeign:
      break;
  }
  return "foreign";
}

namespace {

std::string Canonical(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  char cwd[PATH_MAX];
  const std::string base = getcwd(cwd, sizeof(cwd)) != nullptr ? cwd : "/";
  return semguard::AbsolutePath(base, path);
}

void AddOnce(const std::string& path, std::vector<std::string>* out) {
  if (std::find(out->begin(), out->end(), path) == out->end()) out->push_back(path);
}

}  // namespace

LedgerView ReadLedgerView(const std::string& path, semguard::ProcessTable& procs,
                          const std::vector<semguard::HttpdProcess>& httpd) {
  LedgerView view;
  LedgerView* lv = &view;
  lv->path = path;
  semguard::LoadedLedger loaded = semguard::LedgerStore(geteuid()).Load(path);
  lv->status = loaded.status;
  lv->ledger = loaded.ledger;
  // A holder is known by the lock file's identity, not by the path text it shows (another
  // mount namespace's path may read the same and be another file).
  semguard::FileId lock;
  if (procs.FileAt(semguard::LockPathOf(path), &lock).ok()) {
    for (const semguard::HttpdProcess& p : httpd) {
      for (const semguard::HeldLockFile& held : p.locks) {
        if (held.id == lock) {
          lv->lock_holders.push_back(p.pid);
          break;
        }
      }
    }
  }
  if (lv->status.ok()) {
    const semguard::ProcessIdentity& owner = lv->ledger.owner.process;
    bool alive = procs.Alive(owner.pid);
    semguard::ProcessIdentity now;
    Status now_status = alive ? procs.Identity(owner.pid, &now) : Status::NotFound("gone");
    if (now_status.code() == Status::Code::kNotFound) alive = false;
    semguard::OwnerVerdict verdict = semguard::JudgeOwner(owner, alive, now_status, now);
    lv->live = !verdict.dead;
    lv->liveness = verdict.why;
  }
  if (!lv->lock_holders.empty()) {
    lv->live = true;
    std::string pids;
    for (pid_t p : lv->lock_holders) pids += (pids.empty() ? "" : " ") + std::to_string(p);
    lv->liveness +=
        (lv->liveness.empty() ? "" : "; ") + std::string("its lock is held by pid ") + pids;
  }
  return view;
}

namespace {

// The ledger that records `s` with the same identity; the live one first.
int RecordingLedger(const semguard::SemSet& s, const std::vector<LedgerView>& ledgers,
                    const semguard::RecordedSet** rec_out) {
  int found = -1;
  for (size_t i = 0; i < ledgers.size(); ++i) {
    if (!ledgers[i].status.ok()) continue;
    for (const semguard::RecordedSet& r : ledgers[i].ledger.sets) {
      if (r.set.semid != s.semid || !semguard::SameIdentity(r.set, s)) continue;
      if (found < 0 || (ledgers[i].live && !ledgers[static_cast<size_t>(found)].live)) {
        found = static_cast<int>(i);
        *rec_out = &r;
      }
    }
  }
  return found;
}

}  // namespace

std::vector<std::string> FindLedgers(const std::vector<std::string>& given,
                                     const std::vector<std::string>& folders) {
  std::vector<std::string> out;
  for (const std::string& g : given) AddOnce(Canonical(g), &out);
  for (const std::string& folder : folders) {
    DIR* dir = opendir(folder.c_str());
    if (dir == nullptr) continue;
    std::vector<std::string> names;
    while (struct dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      if (semguard::EndsWith(name, semguard::kLedgerEnding) && name != ".ledger") {
        names.push_back(name);
      }
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string path = folder + "/" + name;
      struct stat st {};
      if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      AddOnce(Canonical(path), &out);
    }
  }
  return out;
}

Status ChooseUserGroup(const Options& opts, const std::vector<const semguard::Ledger*>& ledgers,
                       semguard::Settings* settings, std::string* from) {
  bool have_user = false, have_group = false;
  if (!opts.user.empty()) {
    if (!LookUpUser(opts.user, &settings->user))
      return Status::Invalid("--user: no user '" + opts.user + "'");
    have_user = true;
  }
  if (!opts.group.empty()) {
    if (!LookUpGroup(opts.group, &settings->group)) {
      return Status::Invalid("--group: no group '" + opts.group + "'");
    }
    have_group = true;
  }
  if (have_user && have_group) {
    *from = "--user/--group";
    return Status::Ok();
  }
  // httpd gives its sets to User and Group (IPC_SET): a ledger's sets say who they are.
  for (const semguard::Ledger* l : ledgers) {
    if (l == nullptr || l->sets.empty()) continue;
    if (!have_user) settings->user = l->sets.front().set.uid;
    if (!have_group) settings->group = l->sets.front().set.gid;
    *from =
        have_user || have_group ? "options and a ledger's sets" : "the owner of a ledger's sets";
    return Status::Ok();
  }
  for (const char* name : {"www-data", "apache", "daemon"}) {
    uid_t uid = 0;
    if (!LookUpUser(name, &uid)) continue;
    if (!have_user) settings->user = uid;
    if (!have_group) {
      gid_t gid = 0;
      settings->group = LookUpGroup(name, &gid) ? gid : 0;
    }
    *from = std::string("the user ") + name + " (no ledger records a set; give --user/--group)";
    return Status::Ok();
  }
  *from = "root (no ledger records a set and no usual httpd user exists; give --user/--group)";
  return Status::Ok();
}

Status BuildHostView(const Options& opts, bool search_folders, semguard::SysV& sysv,
                     semguard::ProcessTable& procs, HostView* out) {
  HostView& v = *out;
  v.starter = geteuid();
  v.httpd = procs.HttpdProcesses("", getpid(), geteuid());
  const std::vector<std::string> paths =
      FindLedgers(opts.ledgers, search_folders ? RuntimeFolders() : std::vector<std::string>{});
  std::vector<const semguard::Ledger*> readable;
  v.ledgers.resize(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    v.ledgers[i] = ReadLedgerView(paths[i], procs, v.httpd);
  }
  for (const LedgerView& lv : v.ledgers) {
    if (lv.status.ok()) readable.push_back(&lv.ledger);
  }
  Status chosen = ChooseUserGroup(opts, readable, &v.settings, &v.shape_from);
  if (!chosen.ok()) return chosen;

  v.table_status = sysv.Info(&v.info);
  std::vector<semguard::SemSet> table;
  if (v.table_status.ok()) v.table_status = sysv.Scan(&table);
  if (!v.table_status.ok()) return Status::Ok();  // the commands say so; nothing to mark

  // Adoption candidates, as the core's cleanup finds them (live instances' ledgers count).
  semguard::CleanupCaller caller;
  caller.pid = getpid();
  caller.starter = v.starter;
  semguard::CleanupInput in = semguard::MakeCleanupInput(v.settings, nullptr, caller);
  semguard::Cleanup cleanup(&sysv, &procs, [](semguard::Level, const char*, const std::string&) {});
  std::set<int> candidates;
  semguard::AdoptionScan scan = cleanup.FindAdoptionCandidates(
      in,
      [&candidates](const semguard::SemSet& s, const std::string&) { candidates.insert(s.semid); });
  v.adoption_blocker = scan.blocker;

  for (const semguard::SemSet& scanned : table) {
    SetView sv;
    sv.set = scanned;
    sv.probe = sysv.Probe(&sv.set);
    sv.last_user_alive = sv.probe.ok() && sv.set.last_pid != 0 && procs.Alive(sv.set.last_pid);
    const semguard::RecordedSet* rec = nullptr;
    sv.ledger = RecordingLedger(sv.set, v.ledgers, &rec);
    if (sv.ledger >= 0) {
      LedgerView& lv = v.ledgers[static_cast<size_t>(sv.ledger)];
      ++lv.present;
      sv.type = rec->type;
      sv.mark = lv.live ? Mark::kLive : Mark::kLeftover;
      if (sv.mark == Mark::kLeftover) {
        semguard::Verdict verdict =
            semguard::JudgeRecordedSet(*rec, sv.probe, sv.set, sv.last_user_alive);
        sv.removable = verdict.kind == semguard::Verdict::kRemove;
        sv.why = verdict.reason;
      }
    } else if (candidates.count(sv.set.semid)) {
      sv.mark = Mark::kCandidate;
      sv.removable = scan.blocker.empty();
      sv.why = scan.blocker;
    } else if (!sv.probe.ok()) {
      sv.why = "its state cannot be read: " + sv.probe.message();
    }
    v.sets.push_back(sv);
  }
  return Status::Ok();
}

}  // namespace semguardctl
