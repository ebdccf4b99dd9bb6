// The fake itself: the recorder tests, and later the cleanup tests, rely on it behaving like
// the kernel where the code can tell.
#include "fakes/fake_sysv.h"

#include <cerrno>
#include <string>
#include <vector>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "support/sem_sets.h"

namespace semguard_test {
namespace {

using semguard::SemSet;
using semguard::Status;
using semguard::TableInfo;

SemSet Set(unsigned long nsems = 1, int64_t ctime = 100) {
  SemSet s = semguard_test::HttpdMutexSet(0, 0, 0, 42);
  s.nsems = nsems;
  s.ctime = ctime;
  s.waiters = 2;
  return s;
}

TEST(FakeSysVTest, NewSetsTakeFreeSlotsAndReusedSlotsGetANewSequence) {
  FakeSysV sysv;
  const int first = sysv.Add(Set());
  const int second = sysv.Add(Set());
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
  ASSERT_TRUE(sysv.Vanish(first));
  EXPECT_EQ(sysv.Add(Set()), FakeSysV::kSeqMultiplier);  // slot 0, sequence 1
  EXPECT_EQ(sysv.Semids(), (std::vector<int>{FakeSysV::kSeqMultiplier, 1}));
}

TEST(FakeSysVTest, ExplicitSemidIsKeptAndASecondOneInItsSlotIsRefused) {
  FakeSysV sysv;
  SemSet s = Set();
  s.semid = 32769;
  EXPECT_EQ(sysv.Add(s), 32769);
  EXPECT_TRUE(sysv.Exists(32769));
  EXPECT_FALSE(sysv.Exists(1));  // same slot, other sequence
  s.semid = 1;
  testing::TestPartResultArray failures;
  int added = 0;
  {
    testing::ScopedFakeTestPartResultReporter intercept(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    added = sysv.Add(s);
  }
  EXPECT_EQ(added, -1);
  ASSERT_EQ(failures.size(), 1);
  EXPECT_NE(std::string(failures.GetTestPartResult(0).message()).find("in use"), std::string::npos);
}

TEST(FakeSysVTest, ScanAndStatGiveIdentityOnlyAndProbeTheRest) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  std::vector<SemSet> sets;
  ASSERT_TRUE(sysv.Scan(&sets).ok());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_FALSE(sets[0].probed);
  EXPECT_EQ(sets[0].last_pid, 0);
  SemSet stat;
  ASSERT_TRUE(sysv.Stat(semid, &stat).ok());
  EXPECT_EQ(stat.ctime, 100);
  EXPECT_EQ(stat.last_pid, 0);
  ASSERT_TRUE(sysv.Probe(&stat).ok());
  EXPECT_TRUE(stat.probed);
  EXPECT_EQ(stat.last_pid, 42);
  EXPECT_EQ(stat.value, 1);
  EXPECT_EQ(stat.waiters, 2);
}

TEST(FakeSysVTest, VanishedSetIsNotFoundEverywhere) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  ASSERT_TRUE(sysv.Vanish(semid));
  EXPECT_FALSE(sysv.Vanish(semid));
  SemSet s;
  s.semid = semid;
  EXPECT_EQ(sysv.Stat(semid, &s).code(), Status::Code::kNotFound);
  EXPECT_EQ(sysv.Probe(&s).code(), Status::Code::kNotFound);
  EXPECT_EQ(sysv.Remove(semid).code(), Status::Code::kNotFound);
  EXPECT_TRUE(sysv.removed().empty());
}

TEST(FakeSysVTest, ReplaceKeepsTheSemidWithAnotherIdentity) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set(1, 100));
  SemSet before;
  ASSERT_TRUE(sysv.Stat(semid, &before).ok());
  ASSERT_TRUE(sysv.Replace(semid, Set(1, 200)));
  SemSet after;
  ASSERT_TRUE(sysv.Stat(semid, &after).ok());
  EXPECT_EQ(after.semid, semid);
  EXPECT_FALSE(semguard::SameIdentity(before, after));
  EXPECT_FALSE(sysv.Replace(semid + 1, Set()));
}

TEST(FakeSysVTest, InfoCountsSetsAndSemaphores) {
  FakeSysV sysv;
  sysv.SetLimits(77, 32000, 250);
  TableInfo info;
  ASSERT_TRUE(sysv.Info(&info).ok());
  EXPECT_EQ(info.sets_in_use, 0);
  EXPECT_EQ(info.max_index, 0);
  sysv.Add(Set(1));
  sysv.Add(Set(3));
  ASSERT_TRUE(sysv.Info(&info).ok());
  EXPECT_EQ(info.sets_in_use, 2);
  EXPECT_EQ(info.sems_in_use, 4);
  EXPECT_EQ(info.max_index, 1);
  EXPECT_EQ(info.sets_limit, 77);
  EXPECT_EQ(info.sems_limit, 32000);
  EXPECT_EQ(info.sems_per_set_limit, 250);
}

TEST(FakeSysVTest, RemoveRemovesAndIsLogged) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  ASSERT_TRUE(sysv.Remove(semid).ok());
  EXPECT_FALSE(sysv.Exists(semid));
  EXPECT_EQ(sysv.removed(), std::vector<int>{semid});
  EXPECT_EQ(sysv.calls(FakeSysV::Op::kRemove), 1);
}

TEST(FakeSysVTest, RemoveCanFailWithEpermAndTheSetStays) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  sysv.FailRemove(semid, EPERM);
  Status st = sysv.Remove(semid);
  EXPECT_EQ(st.code(), Status::Code::kIo);
  EXPECT_NE(st.message().find("IPC_RMID"), std::string::npos) << st.message();
  EXPECT_TRUE(sysv.Exists(semid));
  EXPECT_TRUE(sysv.removed().empty());
}

TEST(FakeSysVTest, RemoveCanFailWithEidrmAndTheSetIsGone) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  sysv.FailRemove(semid, EIDRM, /*set_vanishes=*/true);
  EXPECT_EQ(sysv.Remove(semid).code(), Status::Code::kNotFound);
  EXPECT_FALSE(sysv.Exists(semid));
  EXPECT_TRUE(sysv.removed().empty());
}

TEST(FakeSysVTest, FailNextFailsTheGivenNumberOfCalls) {
  FakeSysV sysv;
  sysv.Add(Set());
  sysv.FailNext(FakeSysV::Op::kScan, Status::Io("injected"), 2);
  std::vector<SemSet> sets;
  EXPECT_EQ(sysv.Scan(&sets).message(), "injected");
  EXPECT_EQ(sysv.Scan(&sets).message(), "injected");
  EXPECT_TRUE(sysv.Scan(&sets).ok());
  EXPECT_EQ(sets.size(), 1u);
  EXPECT_EQ(sysv.calls(FakeSysV::Op::kScan), 3);
}

TEST(FakeSysVTest, BeforeCallHookCanChangeTheTableMidOperation) {
  FakeSysV sysv;
  const int semid = sysv.Add(Set());
  sysv.SetBeforeCall([&sysv](FakeSysV::Op op, int id) {
    if (op == FakeSysV::Op::kRemove) sysv.Vanish(id);
  });
  EXPECT_EQ(sysv.Remove(semid).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace semguard_test
