// Issue 8, cases 2, 4 and 5: the proofs that an earlier run is gone (the lock, only for the file
// the ledger recorded; else its session, only where visible), the sets kept and carried with
// their own owner, and a crashed start's unrecorded sets. Each test tries to fool one rule.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cleanup/cleanup.h"
#include "cleanup/cleanup_policy.h"
#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "support/sem_sets.h"

namespace semguard {
namespace {

using semguard_test::FakeProcessTable;
using semguard_test::FakeSysV;
using semguard_test::kTestPidNs;
using semguard_test::TestIdentity;

constexpr pid_t kSelf = 100;
constexpr pid_t kOwner = 812;    // the previous run's parent (and session leader)
constexpr pid_t kOrphan = 813;   // a child of it that outlived it
constexpr uint64_t kOtherNs = 4026532999u;
const FileId kLock{2049, 1311};      // the lock file the previous run held
const FileId kNewLock{2049, 4242};   // a lock file made anew since

RunOwner Owner(uint64_t pid_ns = kTestPidNs, FileId lock = kLock) {
  RunOwner o;
  o.process = TestIdentity(kOwner, 4711);
  o.process.pid_ns = pid_ns;
  o.process.session = kOwner;
  o.lock = lock;
  return o;
}

RunFacts Facts(FileId lock_now = kLock) {
  RunFacts f;
  f.lock_now = lock_now;
  f.self_pid_ns = kTestPidNs;
  f.owner_alive = false;
  f.owner_status = Status::NotFound("gone");
  return f;
}

// ---- JudgeRun ------------------------------------------------------------------------------

TEST(JudgeRunTest, TheRecordedLockFileProvesTheRunGoneInAnyPidNamespace) {
  RunVerdict v = JudgeRun(Owner(kOtherNs), Facts());
  EXPECT_TRUE(v.gone);
  EXPECT_TRUE(v.by_lock);
}

TEST(JudgeRunTest, AFreeLockProvesNothingWhileTheRunsSessionVisiblyLives) {
  RunFacts f = Facts();             // the recorded lock file, free now...
  f.session_members = {kOrphan};    // ...because an orphan let go of it (flock LOCK_UN)
  RunVerdict v = JudgeRun(Owner(), f);
  EXPECT_FALSE(v.gone);
  EXPECT_NE(v.why.find("813"), std::string::npos) << v.why;
  // In another pid namespace the session cannot be seen: the lock alone decides there.
  EXPECT_TRUE(JudgeRun(Owner(kOtherNs), f).gone);
}

TEST(JudgeRunTest, AReplacedLockFileProvesNothingWhileTheSessionLives) {
  RunFacts f = Facts(kNewLock);
  f.session_members = {kOrphan};  // case 2a: the orphans hold the deleted file's lock
  RunVerdict v = JudgeRun(Owner(), f);
  EXPECT_FALSE(v.gone);
  EXPECT_NE(v.why.find("813"), std::string::npos) << v.why;
  EXPECT_NE(v.why.find("2049:1311"), std::string::npos) << v.why;
}

TEST(JudgeRunTest, AReplacedLockFileAndAnEmptySessionProveItGoneButNotByTheLock) {
  RunVerdict v = JudgeRun(Owner(), Facts(kNewLock));
  EXPECT_TRUE(v.gone);
  EXPECT_FALSE(v.by_lock);  // the sets' last users must still be visible and dead
}

TEST(JudgeRunTest, AReplacedLockFileInAnotherPidNamespaceKeeps) {
  RunVerdict v = JudgeRun(Owner(kOtherNs), Facts(kNewLock));
  EXPECT_FALSE(v.gone);
  EXPECT_NE(v.why.find("pid namespace"), std::string::npos) << v.why;
}

TEST(JudgeRunTest, AnUnknownLockIsNoProofEither) {
  RunFacts f = Facts();
  f.session_members = {kOrphan};
  EXPECT_FALSE(JudgeRun(Owner(kTestPidNs, FileId{}), f).gone);
  EXPECT_FALSE(JudgeRun(Owner(kTestPidNs, FileId{}), Facts(FileId{})).by_lock);
}

TEST(JudgeRunTest, AnOwnerThatDidNotLeadItsSessionCannotBeProvenGoneWithoutTheLock) {
  RunOwner o = Owner();
  o.process.session = 1;  // a foreground start: the session is the shell's
  EXPECT_FALSE(JudgeRun(o, Facts(kNewLock)).gone);
  EXPECT_TRUE(JudgeRun(o, Facts()).gone);  // the recorded lock still proves it
}

TEST(JudgeRunTest, ALiveOwnerInOurNamespaceKeepsEvenWithTheSameLock) {
  // A hand-edited or copied ledger naming a live server with this lock's identity.
  RunFacts f = Facts();
  f.owner_alive = true;
  f.owner_status = Status::Ok();
  f.owner_now = TestIdentity(kOwner, 4711);
  RunVerdict v = JudgeRun(Owner(), f);
  EXPECT_FALSE(v.gone);
  EXPECT_TRUE(v.owner_may_live);
}

TEST(JudgeRunTest, AReusedOwnerPidDoesNotStandInForTheLock) {
  // The pid names another process now (dead by JudgeOwner), but the lock file was replaced and
  // the old session still has members: kept.
  RunFacts f = Facts(kNewLock);
  f.owner_alive = true;
  f.owner_status = Status::Ok();
  f.owner_now = TestIdentity(kOwner, 9999);
  f.session_members = {kOrphan};
  EXPECT_FALSE(JudgeRun(Owner(), f).gone);
}

TEST(JudgeRunTest, AVersionOneOwnerUsesItsPidAsItsSession) {
  RunOwner o = Owner(kTestPidNs, FileId{});
  o.process.session = 0;
  EXPECT_EQ(SessionOf(o), kOwner);
}

TEST(JudgeFreeTest, AnInvisibleLastUserMayGoOnlyWithTheLockProof) {
  SemSet s = semguard_test::HttpdMutexSet(0, 33, 33, 0);
  s.probed = true;
  EXPECT_EQ(JudgeFree(s, false).kind, Verdict::kSkip);
  EXPECT_EQ(JudgeFree(s, false, true).kind, Verdict::kRemove);
  s.value = 0;  // held: never, proof or not
  EXPECT_EQ(JudgeFree(s, false, true).kind, Verdict::kSkip);
  s.value = 1;
  s.waiters = 1;
  EXPECT_EQ(JudgeFree(s, false, true).kind, Verdict::kSkip);
}

// ---- The cleanup -----------------------------------------------------------------------------

class RunProofCleanupTest : public testing::Test {
 protected:
  void SetUp() override {
    previous_.owner.process = TestIdentity(kOwner, 4711);
    previous_.owner.process.session = kOwner;
    previous_.owner.lock = kLock;
    previous_.owner.written_at = semguard_test::kSetCreated;
  }

  int AddRecorded(pid_t last_pid, const std::string& type = "ssl") {
    int semid = sysv_.Add(semguard_test::HttpdMutexSet(0, 33, 33, last_pid));
    RecordedSet r;
    r.set = *sysv_.Find(semid);
    r.set.probed = false;
    r.type = type;
    r.creator_pid = kOwner;
    previous_.sets.push_back(r);
    return semid;
  }

  CleanupInput Input(FileId lock_now = kLock) {
    CleanupInput in;
    in.mode = CleanupMode::kOn;
    in.adopt = AdoptMode::kOff;
    in.previous = &previous_;
    in.shape = AdoptionShape{0, 33, 33};
    in.self = kSelf;
    in.lock_now = lock_now;
    in.self_pid_ns = kTestPidNs;
    return in;
  }

  CleanupReport Run(const CleanupInput& in) {
    Cleanup c(&sysv_, &procs_, [this](Level, const char* tag, const std::string& msg) {
      log_ += std::string(tag) + ": " + msg + "\n";
    });
    return c.Run(in);
  }

  FakeSysV sysv_;
  FakeProcessTable procs_;
  Ledger previous_;
  std::string log_;
};

TEST_F(RunProofCleanupTest, OrphansOfADeletedLockKeepTheirSetsWhichAreCarried) {
  int ssl = AddRecorded(5001);  // last used by a gone process: free-looking
  procs_.AddProcess(TestIdentity(kOrphan), kOwner);
  CleanupReport r = Run(Input(kNewLock));
  EXPECT_TRUE(sysv_.Exists(ssl)) << log_;
  EXPECT_EQ(r.removed, 0);
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_TRUE(r.kept[0].inherited);
  EXPECT_EQ(r.kept[0].owner.process.pid, kOwner);
  EXPECT_EQ(r.kept[0].owner.lock, kLock);
  EXPECT_NE(log_.find("SG00031"), std::string::npos) << log_;
}

TEST_F(RunProofCleanupTest, TheSameLockRemovesSetsWhoseLastUserIsInAnotherNamespace) {
  previous_.owner.process.pid_ns = kOtherNs;  // case 4: the last container's namespace
  int accept = AddRecorded(0, "mpm-accept");  // GETPID says 0: not visible from here
  CleanupReport r = Run(Input());
  EXPECT_FALSE(sysv_.Exists(accept)) << log_;
  EXPECT_EQ(r.removed, 1);
  EXPECT_TRUE(r.kept.empty());
}

TEST_F(RunProofCleanupTest, AnotherNamespaceAndAReplacedLockKeepAndCarry) {
  previous_.owner.process.pid_ns = kOtherNs;
  int accept = AddRecorded(0, "mpm-accept");
  CleanupReport r = Run(Input(kNewLock));
  EXPECT_TRUE(sysv_.Exists(accept));
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].owner.process.pid_ns, kOtherNs);
}

TEST_F(RunProofCleanupTest, AKeptSetInUseIsCarriedToo) {
  int held = AddRecorded(5001);
  sysv_.Find(held)->value = 0;
  CleanupReport r = Run(Input());
  EXPECT_TRUE(sysv_.Exists(held));
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].set.semid, held);
}

TEST_F(RunProofCleanupTest, AnInheritedSetIsJudgedByItsOwnRunNotTheLedgersOwner) {
  // The ledger's owner is provably gone (same lock), but an inherited set came from a run whose
  // lock file was replaced and whose session still lives: it stays, with that owner.
  int inherited = AddRecorded(5001);
  previous_.sets.back().inherited = true;
  previous_.sets.back().owner = Owner(kTestPidNs, kNewLock);
  previous_.sets.back().owner.process.pid = 700;
  previous_.sets.back().owner.process.session = 700;
  procs_.AddProcess(TestIdentity(701), 700);
  int own = AddRecorded(5001);
  CleanupReport r = Run(Input());
  EXPECT_TRUE(sysv_.Exists(inherited)) << log_;
  EXPECT_FALSE(sysv_.Exists(own)) << log_;
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].owner.process.pid, 700);
}

TEST_F(RunProofCleanupTest, AGoneSetIsDroppedEvenWhenItsRunCannotBeProvenGone) {
  int ssl = AddRecorded(5001);
  procs_.AddProcess(TestIdentity(kOrphan), kOwner);
  sysv_.Vanish(ssl);
  CleanupReport r = Run(Input(kNewLock));
  EXPECT_TRUE(r.kept.empty());
}

// ---- Case 5: a start that died between two checkpoints ----------------------------------------

TEST_F(RunProofCleanupTest, SetsTheCrashedOwnerMadeAfterItsLastWriteAreFoundAndRemoved) {
  AddRecorded(5001, "mpm-accept");
  SemSet late = semguard_test::HttpdMutexSet(0, 33, 33, kOwner);  // APR's SETVAL: the creator
  late.ctime = previous_.owner.written_at + 1;
  int made_late = sysv_.Add(late);
  CleanupReport r = Run(Input());
  EXPECT_FALSE(sysv_.Exists(made_late)) << log_;
  EXPECT_EQ(r.removed, 2);
  EXPECT_NE(log_.find("SG00030"), std::string::npos) << log_;
}

TEST_F(RunProofCleanupTest, CrashDiscoveryLeavesWhatTheOwnerDidNotMakeThen) {
  SemSet older = semguard_test::HttpdMutexSet(0, 33, 33, kOwner);
  older.ctime = previous_.owner.written_at - 1;  // before the owner wrote: an earlier pid
  int before = sysv_.Add(older);
  SemSet other = semguard_test::HttpdMutexSet(0, 33, 33, 5002);  // someone else's
  other.ctime = previous_.owner.written_at + 1;
  int foreign = sysv_.Add(other);
  SemSet by_user = semguard_test::HttpdMutexSet(33, 33, 33, kOwner);  // not made by root
  by_user.ctime = previous_.owner.written_at + 1;
  int users = sysv_.Add(by_user);
  Run(Input());
  EXPECT_TRUE(sysv_.Exists(before));
  EXPECT_TRUE(sysv_.Exists(foreign));
  EXPECT_TRUE(sysv_.Exists(users));
}

TEST_F(RunProofCleanupTest, CrashDiscoveryNeedsTheOwnerProvenGoneAndInOurNamespace) {
  SemSet late = semguard_test::HttpdMutexSet(0, 33, 33, kOwner);
  late.ctime = previous_.owner.written_at + 1;
  int made_late = sysv_.Add(late);
  procs_.AddProcess(TestIdentity(kOrphan), kOwner);
  Run(Input(kNewLock));  // not provably gone
  EXPECT_TRUE(sysv_.Exists(made_late));
  previous_.owner.process.pid_ns = kOtherNs;  // gone by the lock, but its pids mean nothing here
  Run(Input());
  EXPECT_TRUE(sysv_.Exists(made_late));
}

TEST_F(RunProofCleanupTest, ACrashedRunsSetWhoseLastUserLivesIsKeptAndCarried) {
  SemSet late = semguard_test::HttpdMutexSet(0, 33, 33, kOwner);
  late.ctime = previous_.owner.written_at + 1;
  int made_late = sysv_.Add(late);
  procs_.AddProcess(TestIdentity(kOwner, 9999));  // pid reused by a live process: its user
  CleanupReport r = Run(Input());
  EXPECT_TRUE(sysv_.Exists(made_late)) << log_;
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].type, "unrecorded");
}

// ---- The monitor's retry -----------------------------------------------------------------------

TEST_F(RunProofCleanupTest, RetryRemovesWhatIsProvableNowKeepsTheRestAndDropsTheGone) {
  int ssl = AddRecorded(5001);
  int accept = AddRecorded(5001, "mpm-accept");
  procs_.AddProcess(TestIdentity(kOrphan), kOwner);
  CleanupReport r = Run(Input(kNewLock));
  ASSERT_EQ(r.kept.size(), 2u);
  std::vector<RecordedSet> inherited = r.kept;
  Cleanup c(&sysv_, &procs_, [this](Level, const char* tag, const std::string& msg) {
    log_ += std::string(tag) + ": " + msg + "\n";
  });
  EXPECT_EQ(c.RetryInherited(Input(kNewLock), &inherited), 0);  // the orphan still runs
  EXPECT_EQ(inherited.size(), 2u);
  sysv_.Find(accept)->value = 0;  // an orphan holds the accept mutex as it dies
  procs_.Kill(kOrphan);
  EXPECT_EQ(c.RetryInherited(Input(kNewLock), &inherited), 1);
  EXPECT_FALSE(sysv_.Exists(ssl));
  ASSERT_EQ(inherited.size(), 1u);
  EXPECT_NE(log_.find("SG00033"), std::string::npos) << log_;
  sysv_.Vanish(accept);
  EXPECT_EQ(c.RetryInherited(Input(kNewLock), &inherited), 1);
  EXPECT_TRUE(inherited.empty());
}

}  // namespace
}  // namespace semguard
