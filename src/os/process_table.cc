#include "os/process_table.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file_names.h"
#include "os/proc_files.h"

namespace semguard {
namespace {

std::string Comm(const std::string& proc_dir) {
  std::string name;
  if (!ReadSmallFile(proc_dir + "/comm", &name)) return "";
  return name.substr(0, name.find('\n'));
}

}  // namespace

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

std::vector<HttpdProcess> ProcProcessTable::HttpdProcesses(const std::string& exe, pid_t self) {
  std::vector<HttpdProcess> found;
  for (pid_t pid : AllPids()) {
    if (pid == self) continue;
    const std::string dir = root_ + "/" + std::to_string(pid);
    HttpdProcess p;
    p.pid = pid;
    p.exe = ReadLinkTarget(dir + "/exe");
    std::string comm = Comm(dir);
    bool httpd = (!exe.empty() && p.exe == exe) || comm == "apache2" || comm == "httpd";
    ProcStat st;
    if (!httpd || !ReadProcStat(pid, &st, root_).ok() || st.state == 'Z') continue;
    p.session = st.session;
    if (DIR* fds = opendir((dir + "/fd").c_str())) {
      while (struct dirent* e = readdir(fds)) {
        std::string target = ReadLinkTarget(dir + "/fd/" + e->d_name);
        if (IsLedgerLockPath(target)) p.lock_files.push_back(target);
      }
      closedir(fds);
    }
    found.push_back(std::move(p));
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

ProcessTable& RealProcessTable() {
  static ProcProcessTable procs;
  return procs;
}

}  // namespace semguard
