#include "os/process_table.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>

#include "base/file_names.h"
#include "os/proc_files.h"

namespace semguard {
namespace {

constexpr std::string_view kDeleted = " (deleted)";

std::string Comm(const std::string& proc_dir) {
  std::string name;
  if (!ReadSmallFile(proc_dir + "/comm", &name)) return "";
  return name.substr(0, name.find('\n'));
}

bool StatId(const std::string& path, FileId* out, uid_t* owner = nullptr) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  out->dev = static_cast<uint64_t>(st.st_dev);
  out->ino = static_cast<uint64_t>(st.st_ino);
  if (owner != nullptr) *owner = st.st_uid;
  return true;
}

bool RunsAs(const std::string& proc_dir, uid_t uid) {
  std::string status;
  uid_t real = 0, effective = 0;
  return ReadSmallFile(proc_dir + "/status", &status) &&
         ParseStatusUids(status, &real, &effective) && (real == uid || effective == uid);
}

// One descriptor of `proc_dir`, if it is a "*.ledger.lock" file of `owner`.
void AddIfLock(const std::string& proc_dir, const char* fd_name, uid_t owner,
               std::vector<HeldLockFile>* locks) {
  const std::string fd = proc_dir + "/fd/" + fd_name;
  HeldLockFile lock;
  lock.path = ReadLinkTarget(fd);
  // A deleted lock still locks (orphans may hold it): keep it, for its identity to show that
  // the file at its path is another one now.
  if (EndsWith(lock.path, kDeleted)) lock.path.resize(lock.path.size() - kDeleted.size());
  // The path is only a name (maybe another mount namespace's); stat() of the magic link
  // reaches the open file itself.
  if (IsLedgerLockPath(lock.path) && StatId(fd, &lock.id, &lock.owner) && lock.owner == owner) {
    locks->push_back(std::move(lock));
  }
}

// The "*.ledger.lock" files of `owner` among the first `most` descriptors of `proc_dir`. A
// listing of /proc/PID/fd makes the kernel build an entry for every descriptor that fits the
// buffer, hundreds at once: another user's process is asked by number instead, so that what it
// holds beyond `most` costs nothing.
std::vector<HeldLockFile> HeldLocks(const std::string& proc_dir, uid_t owner, int most,
                                    bool by_number) {
  std::vector<HeldLockFile> locks;
  if (by_number) {
    for (int n = 0; n < most; ++n) AddIfLock(proc_dir, std::to_string(n).c_str(), owner, &locks);
    return locks;
  }
  DIR* fds = opendir((proc_dir + "/fd").c_str());
  if (fds == nullptr) return locks;
  int read = 0;
  while (struct dirent* e = readdir(fds)) {
    if (e->d_name[0] == '.') continue;
    if (++read > most) break;
    AddIfLock(proc_dir, e->d_name, owner, &locks);
  }
  closedir(fds);
  return locks;
}

}  // namespace

bool ParseStatusUids(const std::string& status, uid_t* real, uid_t* effective) {
  size_t at = status.find("\nUid:");
  if (at == std::string::npos) return false;
  const char* p = status.c_str() + at + 5;
  char* end = nullptr;
  unsigned long r = std::strtoul(p, &end, 10);
  if (end == p || (*end != '\t' && *end != ' ')) return false;
  p = end;
  unsigned long e = std::strtoul(p, &end, 10);
  if (end == p) return false;
  *real = static_cast<uid_t>(r);
  *effective = static_cast<uid_t>(e);
  return true;
}

std::vector<pid_t> ProcProcessTable::AllPids() const {
  std::vector<pid_t> pids;
  DIR* dir = opendir(root_.c_str());
  if (dir == nullptr) return pids;
  while (struct dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return pids;
}

bool ProcProcessTable::Alive(pid_t pid) {
  if (pid <= 0) return false;
  ProcStat st;
  return ReadProcStat(pid, &st, root_).ok() && st.state != 'Z' && st.state != 'X';
}

Status ProcProcessTable::Identity(pid_t pid, ProcessIdentity* out) {
  return ReadProcessIdentity(pid, out, root_);
}

std::vector<HttpdProcess> ProcProcessTable::HttpdProcesses(const std::string& exe, pid_t self,
                                                           uid_t uid) {
  FileId own_mnt;
  const bool know_own_mnt = StatId(root_ + "/self/ns/mnt", &own_mnt);
  // First who they are (a few small reads each), then the descriptors of those that count.
  struct Seen {
    HttpdProcess p;
    pid_t ppid;
  };
  std::vector<Seen> seen;
  std::set<pid_t> starters;
  for (pid_t pid : AllPids()) {
    if (pid == self) continue;
    const std::string dir = root_ + "/" + std::to_string(pid);
    HttpdProcess p;
    p.pid = pid;
    std::string comm = Comm(dir);
    p.exe = ReadLinkTarget(dir + "/exe");
    bool httpd = (!exe.empty() && p.exe == exe) || comm == "apache2" || comm == "httpd";
    ProcStat st;
    if (!httpd || !ReadProcStat(pid, &st, root_).ok() || st.state == 'Z') continue;
    p.session = st.session;
    p.starter = RunsAs(dir, uid);
    if (p.starter) starters.insert(pid);
    seen.push_back({std::move(p), st.ppid});
  }
  std::vector<HttpdProcess> found;
  for (Seen& s : seen) {
    // Another user's child of a live httpd of ours holds nothing its parent does not.
    if (!s.p.starter && starters.count(s.ppid)) continue;
    const std::string dir = root_ + "/" + std::to_string(s.p.pid);
    FileId mnt;
    s.p.other_mount_ns = !know_own_mnt || !StatId(dir + "/ns/mnt", &mnt) || mnt != own_mnt;
    s.p.locks = s.p.starter ? HeldLocks(dir, uid, kMaxDescriptorsRead, false)
                            : HeldLocks(dir, uid, kMaxDescriptorsReadOfOthers, true);
    // Another user's process matters only for a lock it inherited.
    if (!s.p.starter && s.p.locks.empty()) continue;
    found.push_back(std::move(s.p));
  }
  return found;
}

std::vector<pid_t> ProcProcessTable::SessionMembers(pid_t session) {
  std::vector<pid_t> members;
  for (pid_t pid : AllPids()) {
    ProcStat st;
    if (ReadProcStat(pid, &st, root_).ok() && st.session == session && st.state != 'Z') {
      members.push_back(pid);
    }
  }
  return members;
}

Status ProcProcessTable::FileAt(const std::string& path, FileId* out) {
  if (StatId(path, out)) return Status::Ok();
  return Status::FromErrno("stat " + path, errno);
}

ProcessTable& RealProcessTable() {
  static ProcProcessTable procs;
  return procs;
}

}  // namespace semguard
