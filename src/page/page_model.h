// The status page's figures, in one neutral model that every renderer reads: this server's sets
// and child exits, the last start's cleanup, and the host's semaphore table.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "module/retained.h"
#include "os/sysv.h"

namespace semguard {

struct ServerSetView {
  int semid = 0;
  std::string type;
  int64_t created = 0;   // ctime
  int64_t last_use = 0;  // otime, 0 if never
  long nsems = 0;
  bool present = false;  // still in the kernel with its recorded identity
};

struct PageModel {
  int64_t now = 0;
  pid_t server_pid = 0;
  long generation = 0;
  bool enabled = true;
  // This server holds its instance lock and records its sets; else why not (SemGuard Off,
  // or the lock is held by another process: it serves unguarded).
  bool guarding = true;
  std::string guarding_reason;

  std::vector<ServerSetView> server_sets;
  std::map<std::string, int> server_sets_by_type;  // present sets only
  int server_sets_present = 0;
  uint64_t child_exits = 0, child_exits_by_signal = 0, vanished_sets = 0;

  StartupRecord startup{};

  TableInfo table;                    // live: SEM_INFO / IPC_INFO
  std::map<uid_t, int> sets_by_owner; // from a full scan, cached
  std::map<uid_t, std::string> owner_names;  // user names of those uids; "" when none
  int64_t scanned_at = 0;             // when that scan ran
  int64_t leaked_sets = -1;           // counted by the parent; -1 unknown
  int64_t leaked_at = 0;
  // Unclean stops of this server (each leaks its sets) left before the table is full (SEMMNI
  // and SEMMNS); -1 unknown.
  int unclean_stops_left = -1;
};

// Near the limit: the page says so when fewer than this share of sets is free.
inline constexpr double kNearLimitFreeShare = 0.10;
bool NearLimit(const PageModel& m);

}  // namespace semguard
