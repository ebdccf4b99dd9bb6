// Fills a PageModel from what the serving process knows: the recorded sets, the shared
// counters the parent publishes, the last start's record, and the kernel (live totals, plus a
// full scan that is kept for kScanCacheSeconds so a busy page does not rescan a large table).
#pragma once

#include <sys/types.h>

#include <vector>

#include "os/child_exits.h"
#include "module/retained.h"
#include "os/sem_set.h"
#include "page/page_model.h"
#include "os/sysv.h"

namespace semguard {

inline constexpr int kScanCacheSeconds = 5;

struct PageSources {
  const std::vector<RecordedSet>* recorded = nullptr;
  const Retained* retained = nullptr;
  SysV* sysv = nullptr;
  pid_t server_pid = 0;
  long generation = 0;
  bool enabled = true;
};

PageModel FillPageModel(const PageSources& in, int64_t now);

}  // namespace semguard
