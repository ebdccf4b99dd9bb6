// Fills a StatusModel from what the serving process knows: the recorded sets, the shared
// counters the parent publishes, the last start's record, and the kernel (live totals, plus a
// full scan that is kept for kScanCacheSeconds so a busy page does not rescan a large table).
#pragma once

#include <sys/types.h>

#include <vector>

#include "child_exits.h"
#include "retained.h"
#include "sem_set.h"
#include "status_model.h"
#include "sysv.h"

namespace semguard {

inline constexpr int kScanCacheSeconds = 5;

struct StatusSources {
  const std::vector<RecordedSet>* recorded = nullptr;
  const Retained* retained = nullptr;
  SysV* sysv = nullptr;
  pid_t server_pid = 0;
  long generation = 0;
  bool enabled = true;
};

StatusModel BuildStatus(const StatusSources& in, int64_t now);

}  // namespace semguard
