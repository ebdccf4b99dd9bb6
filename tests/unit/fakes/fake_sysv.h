// An in-memory SysV semaphore table implementing semguard::SysV, with fault injection, for
// tests of the recorder and of anything else that reads or removes sets.
//
// Like Linux, a semid is index + kSeqMultiplier * sequence; Scan returns sets in index order and
// only their identity (probed false), Stat and Remove of an id that names nothing fail as
// semctl does with EINVAL (Status kNotFound). Everything else about a set (identity fields,
// last_pid, value, waiters) is exactly what the test stored.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "os/sem_set.h"
#include "base/status.h"
#include "os/sysv.h"

namespace semguard_test {

class FakeSysV : public semguard::SysV {
 public:
  static constexpr int kSeqMultiplier = 32768;  // Linux's IPCMNI
  enum class Op { kInfo, kScan, kStat, kProbe, kRemove, kLastPid, kStatSlot };
  // Where Add puts a set given no semid. Linux before 5.4 (RHEL 8's 4.18) takes the lowest free
  // slot; 5.4 on allocate cyclically (ipc/util.c, ipc_idr_alloc: idr_alloc_cyclic from the slot
  // after the last one allocated, below max(in_use * 3 / 2, 64), wrapping to 0 when full).
  enum class Allocation { kLowestFree, kCyclic };

  FakeSysV();

  // ---- The table, changed by the test "behind the code's back". ----

  // Adds `set` with every field as given. A negative set.semid takes a free slot by the
  // allocation policy (the lowest free one unless told otherwise) with the next sequence
  // number of that slot. Returns the semid, or -1 (and a test failure) when
  // the semid or its slot is already in use.
  int Add(semguard::SemSet set);
  // Removes a set as `ipcrm` would; returns false when there was none.
  bool Vanish(int semid);
  // Puts another set under the same semid, as when the kernel reuses an id: `set.semid` is
  // ignored. Returns false when `semid` names nothing.
  bool Replace(int semid, semguard::SemSet set);
  // The stored set, to read or change (value, last_pid, ...); nullptr when there is none.
  semguard::SemSet* Find(int semid);
  bool Exists(int semid) const;
  std::vector<int> Semids() const;  // in index order
  // SEMMNI, SEMMNS, SEMMSL as Info reports them (Linux's defaults until set).
  void SetLimits(int sets_limit, long sems_limit, int sems_per_set_limit);
  void SetAllocation(Allocation policy) { allocation_ = policy; }

  // ---- Fault injection. ----

  // The next `times` calls of `op` fail with `status` and change nothing.
  void FailNext(Op op, semguard::Status status, int times = 1);
  // Every Remove(semid) fails as semctl(IPC_RMID) would with errno `err` (EPERM: Status kIo;
  // EIDRM or EINVAL: kNotFound). With `set_vanishes` the set is gone after the failing call
  // (someone else removed it first); otherwise it stays.
  void FailRemove(int semid, int err, bool set_vanishes = false);
  // Runs at the start of every call, before the fault checks: lets a test change the table in
  // the middle of an operation (a set that vanishes between Scan and Remove, ...).
  void SetBeforeCall(std::function<void(Op op, int semid)> hook);

  // ---- What the code did. ----

  int calls(Op op) const;
  // The SEM_STAT calls the real implementation would have made: one per slot up to the highest
  // in use for each Scan of a non-empty table, and one per StatSlot.
  long slot_reads() const { return slot_reads_; }
  // Every call, in order: (op, semid), semid -1 for Info and Scan.
  const std::vector<std::pair<Op, int>>& trace() const { return trace_; }
  // For each Remove, in order: up to `n` calls right before it and the Remove itself, so that
  // a test can say what the removal of each set must follow.
  std::vector<std::vector<std::pair<Op, int>>> LeadUpToEachRemoval(size_t n) const {
    std::vector<std::vector<std::pair<Op, int>>> out;
    for (size_t i = 0; i < trace_.size(); ++i) {
      if (trace_[i].first != Op::kRemove) continue;
      out.emplace_back(trace_.begin() + static_cast<long>(i >= n ? i - n : 0),
                       trace_.begin() + static_cast<long>(i + 1));
    }
    return out;
  }
  // Sets removed by Remove, in order (vanished ones not included).
  const std::vector<int>& removed() const { return removed_; }

  // ---- semguard::SysV ----
  semguard::Status Info(semguard::TableInfo* out) override;
  semguard::Status Scan(std::vector<semguard::SemSet>* out,
                        semguard::TableInfo* info = nullptr) override;
  semguard::Status Stat(int semid, semguard::SemSet* out) override;
  semguard::Status Probe(semguard::SemSet* set) override;
  semguard::Status Remove(int semid) override;
  semguard::Status LastPid(int semid, pid_t* out) override;
  semguard::Status StatSlot(int index, semguard::SemSet* out) override;

 private:
  struct Fault {
    semguard::Status status;
    int times = 0;
  };
  struct RemoveFault {
    int err = 0;
    bool set_vanishes = false;
  };

  // Counts and traces the call, runs the hook; returns the injected failure, if any, in *out.
  bool Enter(Op op, int semid, semguard::Status* out);
  static int SlotOf(int semid) { return semid % kSeqMultiplier; }
  static semguard::SemSet IdentityOnly(const semguard::SemSet& stored);
  semguard::TableInfo Counts() const;
  int FreeSlot();

  std::map<int, semguard::SemSet> by_slot_;  // slot -> set
  std::map<int, int> next_sequence_;         // slot -> sequence of its next set
  std::map<Op, Fault> faults_;
  std::map<int, RemoveFault> remove_faults_;
  std::map<Op, int> calls_;
  std::function<void(Op, int)> before_call_;
  std::vector<int> removed_;
  std::vector<std::pair<Op, int>> trace_;
  semguard::TableInfo limits_;
  Allocation allocation_ = Allocation::kLowestFree;
  int next_slot_ = 0;  // kCyclic: where the search for the next free slot starts
  long slot_reads_ = 0;
};

}  // namespace semguard_test
