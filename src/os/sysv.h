// The OS seam over SysV semaphores: read the table, look at one set, remove one. No policy.
// sysv_linux.cc is the real implementation; tests/unit/fake_sysv.h an in-memory one.
#pragma once

#include <vector>

#include "os/sem_set.h"
#include "base/status.h"

namespace semguard {

struct TableInfo {
  int sets_in_use = 0;   // SEM_INFO semusz
  long sems_in_use = 0;  // SEM_INFO semaem
  int max_index = 0;     // highest used slot
  int sets_limit = 0;    // SEMMNI
  long sems_limit = 0;   // SEMMNS
  int sems_per_set_limit = 0;  // SEMMSL
};

class SysV {
 public:
  virtual ~SysV() = default;
  virtual Status Info(TableInfo* out) = 0;
  // Every set in the table, without probing, in slot order (each with its index). `info`, when
  // given, gets the SEM_INFO counts the scan started from (what the table held as far as the
  // scan can tell). `out` is cleared first; its capacity is reused.
  virtual Status Scan(std::vector<SemSet>* out, TableInfo* info = nullptr) = 0;
  // The set in one slot of the table (SEM_STAT on `index`), with its index; NotFound when the
  // slot is empty. One call, for a search that needs a few slots, not the whole table.
  virtual Status StatSlot(int index, SemSet* out) = 0;
  // One set by semid (IPC_STAT); NotFound when it is gone or the id names nothing.
  virtual Status Stat(int semid, SemSet* out) = 0;
  // Fill last_pid, value and waiters of semaphore 0 and set probed.
  virtual Status Probe(SemSet* set) = 0;
  // The last-operation pid of semaphore 0 alone (GETPID): one read, for a test that only needs
  // it to rule a set out. Never the basis of a removal; Probe reads it again with the rest.
  virtual Status LastPid(int semid, pid_t* out) = 0;
  virtual Status Remove(int semid) = 0;
};

// The process-wide real implementation.
SysV& RealSysV();

}  // namespace semguard
