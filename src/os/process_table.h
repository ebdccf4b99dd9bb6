// What the cleanup needs to know about the host's processes: is a pid alive and who is it, which
// live processes are httpd servers, and which semguard instance lock each one holds. The real
// implementation reads /proc; unit tests use a fake.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "os/proc_identity.h"
#include "base/status.h"

namespace semguard {

struct HttpdProcess {
  pid_t pid = 0;
  pid_t session = 0;
  std::string exe;                     // /proc/PID/exe, or "" when unreadable
  std::vector<std::string> lock_files; // open files named "*.ledger.lock"
};

class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  // Alive and not a zombie.
  virtual bool Alive(pid_t pid) = 0;
  virtual Status Identity(pid_t pid, ProcessIdentity* out) = 0;
  // Live processes running `exe`, or named apache2 or httpd, except `self`.
  virtual std::vector<HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self) = 0;
  // Live processes whose session id is `session` (a setsid'd httpd's children keep its pid).
  virtual std::vector<pid_t> SessionMembers(pid_t session) = 0;
};

// The real one, over `proc_root`.
class ProcProcessTable final : public ProcessTable {
 public:
  explicit ProcProcessTable(std::string proc_root = "/proc") : root_(std::move(proc_root)) {}
  bool Alive(pid_t pid) override;
  Status Identity(pid_t pid, ProcessIdentity* out) override;
  std::vector<HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self) override;
  std::vector<pid_t> SessionMembers(pid_t session) override;

 private:
  std::vector<pid_t> AllPids() const;
  std::string root_;
};

// The process-wide real one, over /proc.
ProcessTable& RealProcessTable();

}  // namespace semguard
