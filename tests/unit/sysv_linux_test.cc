// RealSysV against the kernel, in a private IPC namespace (private_ipc.h): the sets made here
// are invisible to the host and the host's are invisible here.
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/private_ipc.h"
#include "os/sysv.h"

namespace semguard {
namespace {

union SemArg {
  int val;
  struct semid_ds* buf;
};

const SemSet* FindSet(const std::vector<SemSet>& sets, int semid) {
  for (const SemSet& s : sets) {
    if (s.semid == semid) return &s;
  }
  return nullptr;
}

class RealSysVTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(semguard_test::EnterPrivateIpcNamespace());
    std::vector<SemSet> sets;
    ASSERT_TRUE(RealSysV().Scan(&sets).ok());
    ASSERT_TRUE(sets.empty()) << "the private namespace already holds " << sets.size() << " set(s)";
  }

  void TearDown() override {
    for (int semid : made_) semctl(semid, 0, IPC_RMID);
  }

  // semget(key, nsems, IPC_CREAT | IPC_EXCL | mode); the set is removed after the test.
  int Make(key_t key, int nsems, int mode) {
    int semid = semget(key, nsems, IPC_CREAT | IPC_EXCL | mode);
    EXPECT_GE(semid, 0) << "semget: " << std::strerror(errno);
    if (semid >= 0) made_.push_back(semid);
    return semid;
  }

  std::vector<int> made_;
};

TEST_F(RealSysVTest, ScanSeesPrivateAndKeyedSets) {
  const int private_set = Make(IPC_PRIVATE, 1, 0600);
  const int keyed_set = Make(0x53470001, 2, 0640);
  ASSERT_GE(private_set, 0);
  ASSERT_GE(keyed_set, 0);

  std::vector<SemSet> sets;
  Status st = RealSysV().Scan(&sets);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(sets.size(), 2u);

  const SemSet* a = FindSet(sets, private_set);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->key, 0);
  EXPECT_EQ(a->nsems, 1u);
  EXPECT_EQ(a->mode, 0600u);
  EXPECT_EQ(a->cuid, geteuid());
  EXPECT_EQ(a->uid, geteuid());
  EXPECT_EQ(a->cgid, getegid());
  EXPECT_GT(a->ctime, 0);
  EXPECT_FALSE(a->probed);
  EXPECT_TRUE(LooksLikeHttpdMutex(*a));

  const SemSet* b = FindSet(sets, keyed_set);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->key, 0x53470001);
  EXPECT_EQ(b->nsems, 2u);
  EXPECT_EQ(b->mode, 0640u);
  EXPECT_EQ(b->cuid, geteuid());
  EXPECT_FALSE(LooksLikeHttpdMutex(*b));
}

TEST_F(RealSysVTest, StatGivesTheSameIdentityAsScan) {
  const int semid = Make(IPC_PRIVATE, 1, 0600);
  std::vector<SemSet> sets;
  ASSERT_TRUE(RealSysV().Scan(&sets).ok());
  ASSERT_EQ(sets.size(), 1u);
  SemSet stat;
  Status st = RealSysV().Stat(semid, &stat);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(SameIdentity(sets[0], stat));
  EXPECT_EQ(stat.semid, semid);
}

TEST_F(RealSysVTest, ProbeAfterSetvalGivesThisPidAndTheValue) {
  const int semid = Make(IPC_PRIVATE, 1, 0600);
  SemArg one;
  one.val = 1;
  ASSERT_EQ(semctl(semid, 0, SETVAL, one), 0);
  SemSet set;
  ASSERT_TRUE(RealSysV().Stat(semid, &set).ok());
  Status st = RealSysV().Probe(&set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(set.probed);
  EXPECT_EQ(set.last_pid, getpid());
  EXPECT_EQ(set.value, 1);
  EXPECT_EQ(set.waiters, 0);
}

TEST_F(RealSysVTest, ProbeCountsAProcessWaitingOnTheSemaphore) {
  const int semid = Make(IPC_PRIVATE, 1, 0600);  // value 0: a decrement waits
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);
    struct sembuf take = {0, -1, 0};
    _exit(semop(semid, &take, 1) == 0 ? 0 : 1);
  }
  SemSet set;
  set.semid = semid;
  for (int i = 0; i < 500 && set.waiters == 0; ++i) {
    ASSERT_TRUE(RealSysV().Probe(&set).ok());
    if (set.waiters == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(set.waiters, 1);
  SemArg one;
  one.val = 1;
  ASSERT_EQ(semctl(semid, 0, SETVAL, one), 0);  // lets the child through
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Why the probe keeps GETNCNT and GETZCNT although a free set has value 1: on the real kernel a
// process can wait on a semaphore whose value is 1, for zero (GETZCNT) or for more than 1
// (GETNCNT), and it is no last user (GETPID). Neither read is redundant with GETVAL or GETPID.
TEST_F(RealSysVTest, AFreeLookingSetCanHaveWaitersThatOnlyNcntAndZcntShow) {
  for (int op : {0, -2}) {
    const int semid = Make(IPC_PRIVATE, 1, 0600);
    SemArg one;
    one.val = 1;
    ASSERT_EQ(semctl(semid, 0, SETVAL, one), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      alarm(10);
      struct sembuf wait = {0, static_cast<short>(op), 0};
      _exit(semop(semid, &wait, 1) == 0 ? 0 : 1);
    }
    SemSet set;
    set.semid = semid;
    for (int i = 0; i < 500 && set.waiters == 0; ++i) {
      ASSERT_TRUE(RealSysV().Probe(&set).ok());
      if (set.waiters == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(set.value, 1) << "op " << op;
    EXPECT_EQ(set.last_pid, getpid()) << "the waiter is not the last user";
    EXPECT_EQ(set.waiters, 1) << "op " << op;
    EXPECT_EQ(semctl(semid, 0, op == 0 ? GETZCNT : GETNCNT), 1);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
}

// LastPid reads what Probe's GETPID reads: the crash search rules a set out on it alone.
TEST_F(RealSysVTest, LastPidIsTheProbesLastOperationPid) {
  const int semid = Make(IPC_PRIVATE, 1, 0600);
  pid_t before = -1;
  ASSERT_TRUE(RealSysV().LastPid(semid, &before).ok());
  EXPECT_EQ(before, 0) << "no operation yet";
  SemArg one;
  one.val = 1;
  ASSERT_EQ(semctl(semid, 0, SETVAL, one), 0);
  pid_t after = -1;
  ASSERT_TRUE(RealSysV().LastPid(semid, &after).ok());
  EXPECT_EQ(after, getpid());
  SemSet set;
  set.semid = semid;
  ASSERT_TRUE(RealSysV().Probe(&set).ok());
  EXPECT_EQ(set.last_pid, after);
  ASSERT_TRUE(RealSysV().Remove(semid).ok());
  EXPECT_EQ(RealSysV().LastPid(semid, &after).code(), Status::Code::kNotFound);
}

// The counts a scan reports are SEM_INFO's at its start, the ones a checkpoint compares.
TEST_F(RealSysVTest, ScanReportsTheCountsItStartedFrom) {
  Make(IPC_PRIVATE, 1, 0600);
  Make(IPC_PRIVATE, 3, 0600);
  std::vector<SemSet> sets;
  TableInfo info;
  ASSERT_TRUE(RealSysV().Scan(&sets, &info).ok());
  EXPECT_EQ(sets.size(), 2u);
  EXPECT_EQ(info.sets_in_use, 2);
  EXPECT_EQ(info.sems_in_use, 4);
}

TEST_F(RealSysVTest, RemovedSetIsNotFound) {
  const int semid = Make(IPC_PRIVATE, 1, 0600);
  Status removed = RealSysV().Remove(semid);
  ASSERT_TRUE(removed.ok()) << removed.message();
  SemSet set;
  Status st = RealSysV().Stat(semid, &set);
  EXPECT_EQ(st.code(), Status::Code::kNotFound) << st.message();
  EXPECT_EQ(RealSysV().Remove(semid).code(), Status::Code::kNotFound);
  set.semid = semid;
  EXPECT_EQ(RealSysV().Probe(&set).code(), Status::Code::kNotFound);
  std::vector<SemSet> sets;
  ASSERT_TRUE(RealSysV().Scan(&sets).ok());
  EXPECT_TRUE(sets.empty());
}

TEST_F(RealSysVTest, InfoCountsSetsAndSemaphores) {
  TableInfo empty;
  ASSERT_TRUE(RealSysV().Info(&empty).ok());
  EXPECT_EQ(empty.sets_in_use, 0);
  EXPECT_EQ(empty.sems_in_use, 0);

  Make(IPC_PRIVATE, 1, 0600);
  Make(IPC_PRIVATE, 3, 0600);
  TableInfo info;
  Status st = RealSysV().Info(&info);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(info.sets_in_use, 2);
  EXPECT_EQ(info.sems_in_use, 4);
  EXPECT_GE(info.max_index, 1);
}

TEST_F(RealSysVTest, InfoReportsTheNamespacesLimits) {
  std::string saved;
  {
    std::ifstream in("/proc/sys/kernel/sem");
    ASSERT_TRUE(std::getline(in, saved));
  }
  {
    std::ofstream out("/proc/sys/kernel/sem");
    out << "250 32000 32 77\n";
    out.flush();
    ASSERT_TRUE(out.good()) << "cannot write /proc/sys/kernel/sem";
  }
  TableInfo info;
  Status st = RealSysV().Info(&info);
  std::ofstream("/proc/sys/kernel/sem") << saved << "\n";  // this namespace's own defaults
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(info.sems_per_set_limit, 250);
  EXPECT_EQ(info.sems_limit, 32000);
  EXPECT_EQ(info.sets_limit, 77);
}

}  // namespace
}  // namespace semguard
