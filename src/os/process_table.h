// What the cleanup needs to know about the host's processes: is a pid alive and who is it, which
// live processes are httpd servers, and which semguard instance lock each one holds. The real
// implementation reads /proc; unit tests use a fake.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/file_id.h"
#include "base/status.h"
#include "os/proc_identity.h"

namespace semguard {

// An open "*.ledger.lock" file of a live process. `path` is the text of /proc/PID/fd/N: a path
// in the holder's mount namespace, which may name another file (or none) here. `id` comes from
// stat() of /proc/PID/fd/N itself, which the kernel resolves to the open file: it is the file.
struct HeldLockFile {
  std::string path;
  FileId id;
  uid_t owner = 0;
};

// Descriptors read per process at most: a live httpd's lock is among its first few (it is taken
// before the MPM opens its listeners and logs); a process with more is judged on these. Fewer
// for another user's process, which can only have inherited a lock.
inline constexpr int kMaxDescriptorsRead = 1024;
inline constexpr int kMaxDescriptorsReadOfOthers = 64;

struct HttpdProcess {
  pid_t pid = 0;
  pid_t session = 0;
  std::string exe;                  // /proc/PID/exe, or "" when unreadable
  std::vector<HeldLockFile> locks;  // open files named "*.ledger.lock"
  bool other_mount_ns = false;      // /proc/PID/ns/mnt is not ours (or cannot be read)
  // Runs as the starting user. Another user's process (the orphaned children of a killed
  // server run as User) only ever adds the ledger of a lock it inherited: it is never taken
  // for an httpd without the module, which anyone can name a process.
  bool starter = true;
};

class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  // Alive and not a zombie.
  virtual bool Alive(pid_t pid) = 0;
  virtual Status Identity(pid_t pid, ProcessIdentity* out) = 0;
  // Live processes running `exe`, or named apache2 or httpd, except `self`, whose real or
  // effective uid is `uid` (the starting user: only its processes can take an instance lock
  // or create that user's sets; the children of a root httpd are found through their parent);
  // and, with starter = false, another user's such processes whose parent is no such process
  // (orphans), with only the locks they hold. Only lock files `uid` owns are listed, from the
  // first kMaxDescriptorsRead (kMaxDescriptorsReadOfOthers) descriptors: what another user's
  // processes hold adds at most that to the cost.
  virtual std::vector<HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self,
                                                   uid_t uid) = 0;
  // Live processes whose session id is `session` (a setsid'd httpd's children keep its pid).
  virtual std::vector<pid_t> SessionMembers(pid_t session) = 0;
  // The identity of the file at `path` in this process's mount namespace (stat(2)).
  virtual Status FileAt(const std::string& path, FileId* out) = 0;
};

// The real one, over `proc_root`.
class ProcProcessTable final : public ProcessTable {
 public:
  explicit ProcProcessTable(std::string proc_root = "/proc") : root_(std::move(proc_root)) {}
  bool Alive(pid_t pid) override;
  Status Identity(pid_t pid, ProcessIdentity* out) override;
  std::vector<HttpdProcess> HttpdProcesses(const std::string& exe, pid_t self,
                                           uid_t uid) override;
  std::vector<pid_t> SessionMembers(pid_t session) override;
  Status FileAt(const std::string& path, FileId* out) override;

 private:
  std::vector<pid_t> AllPids() const;
  std::string root_;
};

// The process-wide real one, over /proc.
ProcessTable& RealProcessTable();

// The real and effective uid from the text of /proc/PID/status ("Uid:\treal\teffective..."):
// false when the line is missing or malformed.
bool ParseStatusUids(const std::string& status, uid_t* real, uid_t* effective);

}  // namespace semguard
