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
  // A live httpd process holding `lock_files` open (empty: an httpd without mod_semguard).
  void AddHttpd(pid_t pid, std::vector<std::string> lock_files, pid_t session = 0,
                std::string exe = "/usr/sbin/apache2") {
    AddProcess(TestIdentity(pid), session);
    Process& p = processes_[pid];
    p.httpd = true;
    p.exe = std::move(exe);
    p.lock_files = std::move(lock_files);
  }
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
  // Every declared httpd process except `self`, whatever `exe` is (recorded for the test).
  std::vector<semguard::HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self) override {
    ++httpd_calls_;
    httpd_exe_asked_ = exe;
    httpd_self_asked_ = self;
    std::vector<semguard::HttpdProcess> out;
    for (const auto& [pid, p] : processes_) {
      if (!p.httpd || pid == self) continue;
      semguard::HttpdProcess h;
      h.pid = pid;
      h.session = p.session;
      h.exe = p.exe;
      h.lock_files = p.lock_files;
      out.push_back(h);
    }
    return out;
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
    std::vector<std::string> lock_files;
  };
  std::map<pid_t, Process> processes_;
  std::map<pid_t, int> alive_calls_;
  int httpd_calls_ = 0;
  std::string httpd_exe_asked_;
  pid_t httpd_self_asked_ = 0;
};

}  // namespace semguard_test
