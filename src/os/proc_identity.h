// Who a process is, beyond its pid: pids are reused, so the ledger also keeps the start time,
// the pid namespace and the boot id, read from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"

namespace semguard {

struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;  // clock ticks after boot, field 22 of /proc/PID/stat
  uint64_t pid_ns = 0;      // inode of /proc/PID/ns/pid
  std::string boot_id;      // /proc/sys/kernel/random/boot_id
  pid_t session = 0;        // its session id (a detached httpd parent leads its own); 0 unknown
};

// The fields of /proc/PID/stat the module uses.
struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
  pid_t session = 0;
  uint64_t start_time = 0;
};

// Parses the text of /proc/PID/stat; the command name may hold spaces and parentheses.
Status ParseProcStat(const std::string& text, ProcStat* out);

// Reads under `proc_root` ("/proc" outside tests). NotFound when the process is gone.
Status ReadProcStat(pid_t pid, ProcStat* out, const std::string& proc_root = "/proc");
Status ReadProcessIdentity(pid_t pid, ProcessIdentity* out, const std::string& proc_root = "/proc");
std::string ReadBootId(const std::string& proc_root = "/proc");
// Wall-clock boot time in seconds, from /proc/stat's btime; 0 when unknown.
int64_t ReadBootTime(const std::string& proc_root = "/proc");

}  // namespace semguard
