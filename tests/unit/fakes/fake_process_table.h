// An in-memory semguard::ProcessTable: the live processes a test declares, each with its
// identity, session and, for httpd processes, the instance lock files it holds open. Every pid
// not declared is dead. Counts how often each pid's liveness was asked.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "os/process_table.h"
#include "base/status.h"

namespace semguard_test {

inline constexpr uint64_t kTestPidNs = 4026531836u;
inline constexpr const char* kTestBootId = "0b9e7a52-5c8b-4f2e-9d3a-1f2e3d4c5b6a";

// The identity a process of this test host has: this boot, this pid namespace.
inline semguard::ProcessIdentity TestIdentity(pid_t pid, uint64_t start_time = 4711) {
  semguard::ProcessIdentity id;
  id.pid = pid;
  id.start_time = start_time;
  id.pid_ns = kTestPidNs;
  id.boot_id = kTestBootId;
  return id;
}

class FakeProcessTable : public semguard::ProcessTable {
 public:
  // ---- The processes, as the test declares them. ----

  // A live process with this identity (its pid is id.pid).
  void AddProcess(const semguard::ProcessIdentity& id, pid_t session = 0) {
    Process& p = processes_[id.pid];
    p.identity = id;
    p.identity.session = session;
    p.identity_status = semguard::Status::Ok();
    p.session = session;
  }
  // A live process with a default identity (start time 4711).
  void AddProcess(pid_t pid) { AddProcess(TestIdentity(pid)); }
  // A live process whose identity cannot be read (Identity fails with `why`).
  void AddUnidentifiable(pid_t pid, semguard::Status why) {
    AddProcess(pid);
    processes_[pid].identity_status = std::move(why);
  }
  // A live httpd process holding `lock_files` open (empty: an httpd without mod_semguard). Each
  // lock file is the very file at its path here (PlaceFile), made by the starting user.
  void AddHttpd(pid_t pid, std::vector<std::string> lock_files, pid_t session = 0,
                std::string exe = "/usr/sbin/apache2") {
    AddProcess(TestIdentity(pid), session);
    Process& p = processes_[pid];
    p.httpd = true;
    p.exe = std::move(exe);
    for (const std::string& path : lock_files) {
      semguard::HeldLockFile lock;
      lock.path = path;
      lock.id = IdOf(path);
      lock.owner = kStarterUid;
      p.locks.push_back(lock);
    }
  }
  // Adds a held lock as the test builds it (any path, identity and owner) to httpd `pid`.
  void AddHeldLock(pid_t pid, const semguard::HeldLockFile& lock) {
    processes_[pid].locks.push_back(lock);
  }
  // `pid` runs as `uid` (real and effective); by default a process runs as the asked uid.
  void RunAs(pid_t pid, uid_t uid) { processes_[pid].uid = uid; }
  // `pid` lives in another mount namespace.
  void InOtherMountNamespace(pid_t pid) { processes_[pid].other_mount_ns = true; }
  // The file at `path` here: a fresh identity for each new path, until ReplaceFileAt or
  // RemoveFileAt.
  semguard::FileId IdOf(const std::string& path) {
    auto it = files_here_.find(path);
    if (it != files_here_.end()) return it->second;
    semguard::FileId id{64769, next_ino_++};
    files_here_[path] = id;
    return id;
  }
  void ReplaceFileAt(const std::string& path) { files_here_[path] = {64769, next_ino_++}; }
  void RemoveFileAt(const std::string& path) { files_here_.erase(path); }
  // Stands for "the same uid as HttpdProcesses was asked for".
  static constexpr uid_t kStarterUid = static_cast<uid_t>(-2);

  void Kill(pid_t pid) { processes_.erase(pid); }

  // ---- What the code asked. ----

  int alive_calls(pid_t pid) const {
    auto it = alive_calls_.find(pid);
    return it == alive_calls_.end() ? 0 : it->second;
  }
  int alive_calls_total() const {
    int n = 0;
    for (const auto& [pid, calls] : alive_calls_) n += calls;
    return n;
  }
  int httpd_calls() const { return httpd_calls_; }
  const std::string& httpd_exe_asked() const { return httpd_exe_asked_; }
  pid_t httpd_self_asked() const { return httpd_self_asked_; }
  uid_t httpd_uid_asked() const { return httpd_uid_asked_; }

  // ---- semguard::ProcessTable ----

  bool Alive(pid_t pid) override {
    ++alive_calls_[pid];
    return processes_.count(pid) > 0;
  }
  semguard::Status Identity(pid_t pid, semguard::ProcessIdentity* out) override {
    auto it = processes_.find(pid);
    if (it == processes_.end())
      return semguard::Status::NotFound("no process " + std::to_string(pid));
    if (!it->second.identity_status.ok()) return it->second.identity_status;
    *out = it->second.identity;
    return semguard::Status::Ok();
  }
  // Every declared httpd process except `self`, whatever `exe` is (recorded for the test); like
  // the real one, only the lock files `uid` owns, and another user's process (starter = false)
  // only when it holds one.
  std::vector<semguard::HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self,
                                                     uid_t uid) override {
    ++httpd_calls_;
    httpd_exe_asked_ = exe;
    httpd_self_asked_ = self;
    httpd_uid_asked_ = uid;
    std::vector<semguard::HttpdProcess> out;
    for (const auto& [pid, p] : processes_) {
      if (!p.httpd || pid == self) continue;
      semguard::HttpdProcess h;
      h.pid = pid;
      h.session = p.session;
      h.exe = p.exe;
      h.other_mount_ns = p.other_mount_ns;
      h.starter = p.uid == kStarterUid || p.uid == uid;
      for (semguard::HeldLockFile lock : p.locks) {
        if (lock.owner == kStarterUid) lock.owner = uid;
        if (lock.owner == uid) h.locks.push_back(lock);
      }
      if (h.starter || !h.locks.empty()) out.push_back(h);
    }
    return out;
  }
  semguard::Status FileAt(const std::string& path, semguard::FileId* out) override {
    auto it = files_here_.find(path);
    if (it == files_here_.end()) return semguard::Status::NotFound("stat " + path);
    *out = it->second;
    return semguard::Status::Ok();
  }
  std::vector<pid_t> SessionMembers(pid_t session) override {
    std::vector<pid_t> out;
    for (const auto& [pid, p] : processes_) {
      if (session > 0 && p.session == session) out.push_back(pid);
    }
    return out;
  }

 private:
  struct Process {
    semguard::ProcessIdentity identity;
    semguard::Status identity_status;
    pid_t session = 0;
    bool httpd = false;
    std::string exe;
    std::vector<semguard::HeldLockFile> locks;
    uid_t uid = kStarterUid;
    bool other_mount_ns = false;
  };
  std::map<std::string, semguard::FileId> files_here_;
  uint64_t next_ino_ = 1000;
  uid_t httpd_uid_asked_ = 0;
  std::map<pid_t, Process> processes_;
  std::map<pid_t, int> alive_calls_;
  int httpd_calls_ = 0;
  std::string httpd_exe_asked_;
  pid_t httpd_self_asked_ = 0;
};

}  // namespace semguard_test
