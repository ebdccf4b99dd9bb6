#include "os/process_table.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace semguard {
namespace {

std::string ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string Comm(const std::string& proc_dir) {
  std::ifstream in(proc_dir + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
    p.exe = ReadLink(dir + "/exe");
    std::string comm = Comm(dir);
    bool httpd = (!exe.empty() && p.exe == exe) || comm == "apache2" || comm == "httpd";
    ProcStat st;
    if (!httpd || !ReadProcStat(pid, &st, root_).ok() || st.state == 'Z') continue;
    p.session = st.session;
    if (DIR* fds = opendir((dir + "/fd").c_str())) {
      while (struct dirent* e = readdir(fds)) {
        std::string target = ReadLink(dir + "/fd/" + e->d_name);
        if (EndsWith(target, ".ledger.lock")) p.lock_files.push_back(target);
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

}  // namespace semguard
