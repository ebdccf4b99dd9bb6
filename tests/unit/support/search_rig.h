// The fixture of the checkpoints' slot-search tests (recorder_search_test.cc) and of the
// attacks on it (recorder_search_attack_test.cc): the fake recorder rig over a fake table that
// allocates either as Linux before 5.4 (lowest free slot) or since (cyclic), with sets of this
// server and of another program of the very same shape and creator.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include "fakes/fake_sysv.h"
#include "module/recorder.h"
#include "support/fake_recorder_rig.h"
#include "support/sem_sets.h"

namespace semguard_test {

class SearchRig : public FakeRecorderRig,
                  public testing::WithParamInterface<FakeSysV::Allocation> {
 protected:
  static constexpr uid_t kUid = kRigUid;
  static constexpr pid_t kSelf = kRigPid;

  void SetUp() override {
    files_.writer_uid = kUid;
    procs_.AddProcess(TestIdentity(kSelf), kSelf);
    sysv_.SetAllocation(GetParam());
  }

  semguard::Recorder FirstPass() {
    return NewRecorder(semguard::MainState::kCreatePreConfig, 1, "/usr/sbin/apache2");
  }

  // As APR leaves a set it made just now: this euid, last touched by this process.
  int AddOurs() {
    semguard::SemSet s = HttpdMutexSet(kUid, kUid, 0, kSelf);
    s.ctime = clock_.Now();
    return sysv_.Add(s);
  }
  // Another program's set of the very same shape and creator; only its last user differs.
  int AddForeign(unsigned long nsems = 1, pid_t last_pid = kSelf + 1) {
    semguard::SemSet s = HttpdMutexSet(kUid, kUid, 0, last_pid);
    s.nsems = nsems;
    s.ctime = clock_.Now();
    return sysv_.Add(s);
  }
  void FillWithForeignSets(int n) {
    for (int i = 0; i < n; ++i) ASSERT_GE(AddForeign(), 0);
  }
};

inline std::string AllocationName(const testing::TestParamInfo<FakeSysV::Allocation>& p) {
  return p.param == FakeSysV::Allocation::kCyclic ? "Cyclic" : "LowestFree";
}

}  // namespace semguard_test
