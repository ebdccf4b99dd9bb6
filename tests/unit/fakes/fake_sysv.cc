#include "fakes/fake_sysv.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace semguard_test {

using semguard::SemSet;
using semguard::Status;

FakeSysV::FakeSysV() { SetLimits(32000, 1024000000, 32000); }

int FakeSysV::Add(SemSet set) {
  if (set.semid < 0) {
    const int slot = FreeSlot();
    set.semid = slot + kSeqMultiplier * next_sequence_[slot];
  }
  const int slot = SlotOf(set.semid);
  if (by_slot_.count(slot)) {
    ADD_FAILURE() << "FakeSysV::Add: slot " << slot << " of semid " << set.semid << " is in use";
    return -1;
  }
  next_sequence_[slot] = set.semid / kSeqMultiplier + 1;
  next_slot_ = slot + 1;
  by_slot_[slot] = set;
  return set.semid;
}

int FakeSysV::FreeSlot() {
  int slot = 0;
  if (allocation_ == Allocation::kCyclic) {
    const int in_use = static_cast<int>(by_slot_.size());
    const int end = std::min(std::max(in_use * 3 / 2, 64), kSeqMultiplier);
    slot = next_slot_;
    while (slot < end && by_slot_.count(slot)) ++slot;
    if (slot < end) return slot;
    slot = 0;  // wrapped
  }
  while (by_slot_.count(slot)) ++slot;
  return slot;
}

bool FakeSysV::Vanish(int semid) {
  auto it = by_slot_.find(SlotOf(semid));
  if (it == by_slot_.end() || it->second.semid != semid) return false;
  by_slot_.erase(it);
  return true;
}

bool FakeSysV::Replace(int semid, SemSet set) {
  SemSet* stored = Find(semid);
  if (stored == nullptr) return false;
  set.semid = semid;
  *stored = set;
  return true;
}

SemSet* FakeSysV::Find(int semid) {
  auto it = by_slot_.find(SlotOf(semid));
  return it == by_slot_.end() || it->second.semid != semid ? nullptr : &it->second;
}

bool FakeSysV::Exists(int semid) const {
  auto it = by_slot_.find(SlotOf(semid));
  return it != by_slot_.end() && it->second.semid == semid;
}

std::vector<int> FakeSysV::Semids() const {
  std::vector<int> ids;
  for (const auto& [slot, set] : by_slot_) ids.push_back(set.semid);
  return ids;
}

void FakeSysV::SetLimits(int sets_limit, long sems_limit, int sems_per_set_limit) {
  limits_.sets_limit = sets_limit;
  limits_.sems_limit = sems_limit;
  limits_.sems_per_set_limit = sems_per_set_limit;
}

void FakeSysV::FailNext(Op op, Status status, int times) {
  faults_[op] = Fault{std::move(status), times};
}

void FakeSysV::FailRemove(int semid, int err, bool set_vanishes) {
  remove_faults_[semid] = RemoveFault{err, set_vanishes};
}

void FakeSysV::SetBeforeCall(std::function<void(Op, int)> hook) { before_call_ = std::move(hook); }

int FakeSysV::calls(Op op) const {
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

bool FakeSysV::Enter(Op op, int semid, Status* out) {
  ++calls_[op];
  trace_.emplace_back(op, semid);
  if (before_call_) before_call_(op, semid);
  auto it = faults_.find(op);
  if (it == faults_.end() || it->second.times <= 0) return false;
  --it->second.times;
  *out = it->second.status;
  return true;
}

SemSet FakeSysV::IdentityOnly(const SemSet& stored) {
  SemSet s = stored;
  s.probed = false;
  s.last_pid = 0;
  s.value = 0;
  s.waiters = 0;
  return s;
}

semguard::TableInfo FakeSysV::Counts() const {
  semguard::TableInfo info = limits_;
  info.sets_in_use = static_cast<int>(by_slot_.size());
  info.sems_in_use = 0;
  for (const auto& [slot, set] : by_slot_) info.sems_in_use += static_cast<long>(set.nsems);
  info.max_index = by_slot_.empty() ? 0 : by_slot_.rbegin()->first;  // SEM_INFO gives 0 when empty
  return info;
}

Status FakeSysV::Info(semguard::TableInfo* out) {
  Status injected;
  if (Enter(Op::kInfo, -1, &injected)) return injected;
  *out = Counts();
  return Status::Ok();
}

Status FakeSysV::Scan(std::vector<SemSet>* out, semguard::TableInfo* info) {
  Status injected;
  if (Enter(Op::kScan, -1, &injected)) return injected;
  const semguard::TableInfo counts = Counts();
  if (info != nullptr) *info = counts;
  if (counts.sets_in_use > 0) slot_reads_ += counts.max_index + 1;
  out->clear();
  for (const auto& [slot, set] : by_slot_) {
    out->push_back(IdentityOnly(set));
    out->back().index = slot;
  }
  return Status::Ok();
}

Status FakeSysV::StatSlot(int index, SemSet* out) {
  Status injected;
  if (Enter(Op::kStatSlot, index, &injected)) return injected;
  ++slot_reads_;
  auto it = by_slot_.find(index);
  if (it == by_slot_.end()) {
    return Status::FromErrno("semctl(" + std::to_string(index) + ", SEM_STAT)", EINVAL);
  }
  *out = IdentityOnly(it->second);
  out->index = index;
  return Status::Ok();
}

Status FakeSysV::Stat(int semid, SemSet* out) {
  Status injected;
  if (Enter(Op::kStat, semid, &injected)) return injected;
  const SemSet* stored = Find(semid);
  if (stored == nullptr) {
    return Status::FromErrno("semctl(" + std::to_string(semid) + ", IPC_STAT)", EINVAL);
  }
  *out = IdentityOnly(*stored);
  return Status::Ok();
}

Status FakeSysV::LastPid(int semid, pid_t* out) {
  Status injected;
  if (Enter(Op::kLastPid, semid, &injected)) return injected;
  const SemSet* stored = Find(semid);
  if (stored == nullptr) {
    return Status::FromErrno("semctl(" + std::to_string(semid) + ", GETPID)", EINVAL);
  }
  *out = stored->last_pid;
  return Status::Ok();
}

Status FakeSysV::Probe(SemSet* set) {
  Status injected;
  if (Enter(Op::kProbe, set->semid, &injected)) return injected;
  const SemSet* stored = Find(set->semid);
  if (stored == nullptr) {
    return Status::FromErrno("semctl(" + std::to_string(set->semid) + ", GETPID/GETVAL)", EINVAL);
  }
  set->last_pid = stored->last_pid;
  set->value = stored->value;
  set->waiters = stored->waiters;
  set->probed = true;
  return Status::Ok();
}

Status FakeSysV::Remove(int semid) {
  Status injected;
  if (Enter(Op::kRemove, semid, &injected)) return injected;
  const std::string context = "semctl(" + std::to_string(semid) + ", IPC_RMID)";
  auto fault = remove_faults_.find(semid);
  if (fault != remove_faults_.end()) {
    if (fault->second.set_vanishes) Vanish(semid);
    return Status::FromErrno(context, fault->second.err);
  }
  if (!Vanish(semid)) return Status::FromErrno(context, EINVAL);
  removed_.push_back(semid);
  return Status::Ok();
}

}  // namespace semguard_test
