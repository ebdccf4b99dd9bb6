// The removal rules as pure functions: each branch, and the sentence each "no" carries.
#include "cleanup/cleanup_policy.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/sem_sets.h"

#include "fakes/fake_process_table.h"
#include "support/has_text.h"

namespace semguard {
namespace {

using semguard_test::TestIdentity;
using semguard_test::HasText;
using semguard_test::LacksText;

// ---- JudgeOwner ----

class JudgeOwnerTest : public testing::Test {
 protected:
  const ProcessIdentity recorded_ = TestIdentity(812, 4711);
  ProcessIdentity now_ = TestIdentity(812, 4711);
};

TEST_F(JudgeOwnerTest, GonePidIsDead) {
  OwnerVerdict v = JudgeOwner(recorded_, false, Status::NotFound("gone"), ProcessIdentity{});
  EXPECT_TRUE(v.dead);
  EXPECT_EQ(v.why, "pid 812 is gone");
}

TEST_F(JudgeOwnerTest, AliveButUnidentifiableMayBeAlive) {
  OwnerVerdict v =
      JudgeOwner(recorded_, true, Status::Io("open /proc/812/stat: Permission denied"), now_);
  EXPECT_FALSE(v.dead);
  EXPECT_TRUE(HasText(v.why, "pid 812 runs but cannot be identified"));
  EXPECT_TRUE(HasText(v.why, "Permission denied"));
}

TEST_F(JudgeOwnerTest, DifferentBootIdIsDead) {
  now_.boot_id = "11111111-2222-3333-4444-555555555555";
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_TRUE(v.dead);
  EXPECT_TRUE(HasText(v.why, "earlier boot"));
}

TEST_F(JudgeOwnerTest, UnknownBootIdNowIsNoEvidence) {
  now_.boot_id = "unknown";
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_FALSE(v.dead) << v.why;
  EXPECT_TRUE(HasText(v.why, "still running"));
}

TEST_F(JudgeOwnerTest, UnknownBootIdInTheLedgerIsNoEvidence) {
  ProcessIdentity recorded = recorded_;
  recorded.boot_id = "unknown";
  OwnerVerdict v = JudgeOwner(recorded, true, Status::Ok(), now_);
  EXPECT_FALSE(v.dead) << v.why;
}

TEST_F(JudgeOwnerTest, UnknownBootIdDoesNotHideADifferentStartTime) {
  now_.boot_id = "unknown";
  now_.start_time = 9999;
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_TRUE(v.dead);
  EXPECT_TRUE(HasText(v.why, "start time differs"));
}

TEST_F(JudgeOwnerTest, DifferentPidNamespaceIsDead) {
  now_.pid_ns = recorded_.pid_ns + 1;
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_TRUE(v.dead);
  EXPECT_TRUE(HasText(v.why, "another pid namespace"));
}

TEST_F(JudgeOwnerTest, DifferentStartTimeIsDead) {
  now_.start_time = 9999;
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_TRUE(v.dead);
  EXPECT_EQ(v.why, "pid 812 now names another process (start time differs)");
}

TEST_F(JudgeOwnerTest, SameIdentityIsAlive) {
  OwnerVerdict v = JudgeOwner(recorded_, true, Status::Ok(), now_);
  EXPECT_FALSE(v.dead);
  EXPECT_EQ(v.why, "pid 812 is still running (same start time)");
}

// ---- JudgeRecordedSet ----

// A free httpd mutex as the kernel shows it right now, with its state probed.
SemSet FreeSet() {
  SemSet s = semguard_test::HttpdMutexSet(0, 33, 33, 5001);
  s.semid = 32769;
  s.probed = true;
  return s;
}

RecordedSet Recorded(const SemSet& s) {
  RecordedSet r;
  r.set = s;
  r.set.probed = false;
  r.type = "mpm-accept";
  r.creator_pid = 812;
  return r;
}

TEST(JudgeRecordedSetTest, NotFoundIsGone) {
  Verdict v = JudgeRecordedSet(Recorded(FreeSet()), Status::NotFound("semctl: Invalid argument"),
                               SemSet{}, false);
  EXPECT_EQ(v.kind, Verdict::kGone);
}

TEST(JudgeRecordedSetTest, OtherStatErrorIsASkip) {
  Verdict v =
      JudgeRecordedSet(Recorded(FreeSet()),
                       Status::Io("semctl(32769, IPC_STAT): Permission denied"), SemSet{}, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_TRUE(HasText(v.reason, "cannot be examined"));
  EXPECT_TRUE(HasText(v.reason, "Permission denied"));
}

TEST(JudgeRecordedSetTest, SameIdentityAndFreeIsRemoved) {
  SemSet now = FreeSet();
  now.otime = 1763900100;  // semop changes only what identity ignores
  Verdict v = JudgeRecordedSet(Recorded(FreeSet()), Status::Ok(), now, false);
  EXPECT_EQ(v.kind, Verdict::kRemove) << v.reason;
}

TEST(JudgeRecordedSetTest, EachIdentityFieldMismatchIsASkip) {
  const std::vector<std::pair<const char*, std::function<void(SemSet&)>>> changes = {
      {"semid", [](SemSet& s) { s.semid += 32768; }},
      {"key", [](SemSet& s) { s.key = 1234; }},
      {"ctime", [](SemSet& s) { s.ctime += 1; }},
      {"cuid", [](SemSet& s) { s.cuid = 1000; }},
      {"cgid", [](SemSet& s) { s.cgid = 1000; }},
      {"mode", [](SemSet& s) { s.mode = 0666; }},
      {"nsems", [](SemSet& s) { s.nsems = 2; }},
  };
  for (const auto& [field, change] : changes) {
    SemSet now = FreeSet();
    change(now);
    Verdict v = JudgeRecordedSet(Recorded(FreeSet()), Status::Ok(), now, false);
    EXPECT_EQ(v.kind, Verdict::kSkip) << field;
    EXPECT_TRUE(HasText(v.reason, "its semid now names another set")) << field;
  }
}

TEST(JudgeRecordedSetTest, NotProbedIsASkip) {
  SemSet now = FreeSet();
  now.probed = false;
  Verdict v = JudgeRecordedSet(Recorded(FreeSet()), Status::Ok(), now, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "its state cannot be read");
}

TEST(JudgeRecordedSetTest, SameIdentityButInUseIsASkip) {
  SemSet now = FreeSet();
  now.value = 0;
  Verdict v = JudgeRecordedSet(Recorded(FreeSet()), Status::Ok(), now, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_TRUE(HasText(v.reason, "not free (value 0)"));
}

// ---- JudgeFree ----

TEST(JudgeFreeTest, ValueZeroIsHeld) {
  SemSet s = FreeSet();
  s.value = 0;
  Verdict v = JudgeFree(s, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "in use: not free (value 0)");
}

TEST(JudgeFreeTest, ValueTwoIsNotAFreeMutex) {
  SemSet s = FreeSet();
  s.value = 2;
  Verdict v = JudgeFree(s, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "in use: not free (value 2)");
}

TEST(JudgeFreeTest, WaitersMeanInUse) {
  SemSet s = FreeSet();
  s.waiters = 3;
  Verdict v = JudgeFree(s, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "in use: 3 process(es) wait on it");
}

TEST(JudgeFreeTest, LastPidZeroIsInvisible) {
  SemSet s = FreeSet();
  s.last_pid = 0;
  Verdict v = JudgeFree(s, false);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "its last user is not visible from here");
}

TEST(JudgeFreeTest, LiveLastUserMeansInUse) {
  Verdict v = JudgeFree(FreeSet(), true);
  EXPECT_EQ(v.kind, Verdict::kSkip);
  EXPECT_EQ(v.reason, "in use: its last user, pid 5001, is alive");
}

TEST(JudgeFreeTest, UnprobedCannotBeJudged) {
  SemSet s = FreeSet();
  s.probed = false;
  EXPECT_EQ(JudgeFree(s, false).kind, Verdict::kSkip);
}

TEST(JudgeFreeTest, FreeWithDeadLastUserIsRemoved) {
  Verdict v = JudgeFree(FreeSet(), false);
  EXPECT_EQ(v.kind, Verdict::kRemove);
  EXPECT_EQ(v.reason, "");
}

TEST(JudgeAdoptionCandidateTest, FollowsJudgeFree) {
  EXPECT_EQ(JudgeAdoptionCandidate(FreeSet(), false).kind, Verdict::kRemove);
  EXPECT_EQ(JudgeAdoptionCandidate(FreeSet(), true).kind, Verdict::kSkip);
}

// ---- HasHttpdShape ----

TEST(HasHttpdShapeTest, HttpdsOwnSetHasTheShape) {
  EXPECT_TRUE(HasHttpdShape(FreeSet(), AdoptionShape{0, 33, 33}));
}

TEST(HasHttpdShapeTest, EachWrongFieldBreaksTheShape) {
  const AdoptionShape shape{0, 33, 33};
  const std::vector<std::pair<const char*, std::function<void(SemSet&)>>> changes = {
      {"key", [](SemSet& s) { s.key = 1234; }},
      {"nsems", [](SemSet& s) { s.nsems = 2; }},
      {"cuid", [](SemSet& s) { s.cuid = 1000; }},
      {"uid", [](SemSet& s) { s.uid = 1000; }},
      {"gid", [](SemSet& s) { s.gid = 1000; }},
      {"mode", [](SemSet& s) { s.mode = 0666; }},
  };
  for (const auto& [field, change] : changes) {
    SemSet s = FreeSet();
    change(s);
    EXPECT_FALSE(HasHttpdShape(s, shape)) << field;
  }
}

// ---- AdoptionBlocker ----

HttpdProcess Httpd(pid_t pid, std::vector<std::string> locks) {
  HttpdProcess p;
  p.pid = pid;
  p.exe = "/usr/sbin/apache2";
  uint64_t ino = 500;
  for (const std::string& path : locks) p.locks.push_back({path, {2049, ino++}, 0});
  return p;
}

TEST(AdoptionBlockerTest, NoLiveHttpdBlocksNothing) { EXPECT_EQ(AdoptionBlocker({}), ""); }

TEST(AdoptionBlockerTest, EveryHttpdHoldingALockBlocksNothing) {
  EXPECT_EQ(
      AdoptionBlocker({Httpd(100, {"/run/a.ledger.lock"}), Httpd(200, {"/run/b.ledger.lock"})}),
      "");
}

TEST(AdoptionBlockerTest, AnUnlockedHttpdBlocksAndIsNamed) {
  std::string why = AdoptionBlocker({Httpd(100, {"/run/a.ledger.lock"}), Httpd(4242, {})});
  EXPECT_TRUE(HasText(why, "without mod_semguard"));
  EXPECT_TRUE(HasText(why, "(pid 4242)"));
  EXPECT_TRUE(LacksText(why, "100"));
}

TEST(AdoptionBlockerTest, AnotherUsersProcessIsNeverAnUnguardedHttpd) {
  HttpdProcess named = Httpd(3100, {});
  named.starter = false;  // anyone can name a process apache2
  EXPECT_EQ(AdoptionBlocker({named}), "");
}

TEST(AdoptionBlockerTest, EveryUnlockedHttpdIsListed) {
  std::string why =
      AdoptionBlocker({Httpd(4242, {}), Httpd(100, {"/run/a.ledger.lock"}), Httpd(4343, {})});
  EXPECT_TRUE(HasText(why, "pid 4242, 4343"));
}

// ---- JudgeHeldLock (issue 8, case 1) ----

class HeldLockTest : public testing::Test {
 protected:
  HeldLockVerdict Judge(const Status& here_status, const FileId& here) {
    return JudgeHeldLock(holder_, lock_, &own_, here_status, here, 0);
  }
  HttpdProcess holder_ = Httpd(4711, {"/run/apache2/app.ledger.lock"});
  HeldLockFile lock_ = holder_.locks[0];
  FileId own_{2049, 9};  // this instance's lock file
};

TEST_F(HeldLockTest, TheVeryFileAtItsPathHereLetsItsLedgerBeRead) {
  HeldLockVerdict v = Judge(Status::Ok(), lock_.id);
  EXPECT_EQ(v.kind, HeldLockVerdict::kReadLedger);
  EXPECT_EQ(v.ledger_path, "/run/apache2/app.ledger");
}

TEST_F(HeldLockTest, OurOwnLockIsKnownByItsIdentityNotItsPath) {
  lock_.id = own_;
  lock_.path = "/somewhere/else.ledger.lock";  // the text another namespace shows
  EXPECT_EQ(Judge(Status::Ok(), FileId{2049, 77}).kind, HeldLockVerdict::kOwn);
}

TEST_F(HeldLockTest, AContainersLockWithOurPathTextIsNotOurs) {
  // Same path string as our own lock, another file: the host's case 1 of issue 8.
  holder_.other_mount_ns = true;
  HeldLockVerdict v = Judge(Status::Ok(), own_);
  EXPECT_EQ(v.kind, HeldLockVerdict::kBlock);
  EXPECT_TRUE(HasText(v.blocker, "live httpd pid 4711 in another mount namespace: its ledger is "
                                 "not readable from here"));
}

TEST_F(HeldLockTest, AnotherNamespacesLockMissingHereBlocks) {
  holder_.other_mount_ns = true;
  HeldLockVerdict v = Judge(Status::NotFound("stat"), FileId{});
  EXPECT_EQ(v.kind, HeldLockVerdict::kBlock);
  EXPECT_TRUE(HasText(v.blocker, "another mount namespace"));
}

TEST_F(HeldLockTest, AnotherNamespaceSharingTheVeryFileIsRead) {
  // A volume mounted at the same path in both: the identity proves it is one file.
  holder_.other_mount_ns = true;
  EXPECT_EQ(Judge(Status::Ok(), lock_.id).kind, HeldLockVerdict::kReadLedger);
}

TEST_F(HeldLockTest, ADeletedOrReplacedLockInOurNamespaceBlocks) {
  HeldLockVerdict v = Judge(Status::Ok(), FileId{2049, 12345});
  EXPECT_EQ(v.kind, HeldLockVerdict::kBlock);
  EXPECT_TRUE(HasText(v.blocker, "no longer the file at /run/apache2/app.ledger.lock"));
  EXPECT_EQ(Judge(Status::NotFound("stat"), FileId{}).kind, HeldLockVerdict::kBlock);
}

TEST_F(HeldLockTest, ALockFileOfAnotherOwnerNeitherAccountsNorBlocks) {
  lock_.owner = 33;
  EXPECT_EQ(Judge(Status::Ok(), lock_.id).kind, HeldLockVerdict::kNotOurs);
  EXPECT_EQ(Judge(Status::NotFound("stat"), FileId{}).kind, HeldLockVerdict::kNotOurs);
}

TEST_F(HeldLockTest, WithoutOurOwnIdentityNothingIsTakenAsOurs) {
  lock_.id = own_;
  EXPECT_EQ(JudgeHeldLock(holder_, lock_, nullptr, Status::NotFound("stat"), FileId{}, 0).kind,
            HeldLockVerdict::kBlock);
}

}  // namespace
}  // namespace semguard
