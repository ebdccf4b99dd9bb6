// The startup cleanup over an in-memory semaphore table (FakeSysV), declared processes
// (FakeProcessTable) and, for live instances, real ledger files in a temporary directory.
#include "cleanup/cleanup.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/sem_sets.h"

#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "support/has_text.h"
#include "ledger/ledger_file.h"
#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FakeProcessTable;
using semguard_test::FakeSysV;
using semguard_test::HasText;
using semguard_test::TempDir;
using semguard_test::TestIdentity;

constexpr uid_t kStarter = 0;
constexpr uid_t kUser = 33;
constexpr gid_t kGroup = 33;
constexpr pid_t kSelf = 100;
constexpr pid_t kOwner = 812;      // the previous run's parent
constexpr pid_t kDeadUser = 5001;  // the last user of most sets: gone
constexpr pid_t kLiveUser = 7100;  // a process the tests declare alive

struct LogLine {
  Level level;
  std::string tag;
  std::string text;
};

class CleanupTest : public testing::Test {
 protected:
  // The previous run held the very lock file this process holds now: the lock proves it gone.
  void SetUp() override {
    previous_.owner.process = TestIdentity(kOwner, 4711);
    previous_.owner.lock = kHeldLock;
  }
  static constexpr FileId kHeldLock{2049, 1311};

  // A set as httpd leaves it: IPC_PRIVATE, one semaphore, 0600, made by the starter and owned
  // by User and Group, free, last used by `last_pid`.
  static SemSet HttpdSet(pid_t last_pid = kDeadUser) {
    return semguard_test::HttpdMutexSet(kStarter, kUser, kGroup, last_pid);
  }

  static RecordedSet Record(const SemSet& stored, const std::string& type = "mpm-accept") {
    RecordedSet r;
    r.set = stored;
    r.set.probed = false;
    r.type = type;
    r.creator_pid = kOwner;
    r.generation = 1;
    return r;
  }

  // Adds `s` to the table and to the previous run's ledger; returns its semid.
  int AddRecorded(const SemSet& s, const std::string& type = "mpm-accept") {
    int semid = sysv_.Add(s);
    previous_.sets.push_back(Record(*sysv_.Find(semid), type));
    return semid;
  }

  CleanupInput Input(CleanupMode mode = CleanupMode::kOn, AdoptMode adopt = AdoptMode::kOff) {
    CleanupInput in;
    in.mode = mode;
    in.adopt = adopt;
    in.previous = &previous_;
    in.shape = AdoptionShape{kStarter, kUser, kGroup};
    in.self = kSelf;
    in.self_exe = "/usr/sbin/apache2";
    in.own_lock_path = dir_.File("own.ledger.lock");
    in.ledger_owner = geteuid();
    in.lock_now = kHeldLock;
    in.self_pid_ns = semguard_test::kTestPidNs;
    return in;
  }

  // Writes a live instance's ledger recording `semids`, and declares an httpd process `pid`
  // holding its lock.
  void LiveInstance(pid_t pid, const std::vector<int>& semids,
                    const std::string& name = "live.ledger") {
    Ledger ledger;
    ledger.owner.process = TestIdentity(pid, 1234);
    ledger.owner.generation = 1;
    ledger.owner.written_at = 1763900000;
    ledger.owner.server_root = "/etc/apache2";
    ledger.owner.config_file = "/etc/apache2/other.conf";
    for (int semid : semids) ledger.sets.push_back(Record(*sysv_.Find(semid)));
    Status st = WriteLedgerFile(dir_.File(name), ledger);
    ASSERT_TRUE(st.ok()) << st.message();
    procs_.AddHttpd(pid, {dir_.File(name) + ".lock"});
  }

  std::vector<LogLine> Lines(const std::string& tag) const {
    std::vector<LogLine> out;
    for (const LogLine& l : log_) {
      if (l.tag == tag) out.push_back(l);
    }
    return out;
  }

  // The one line with `tag`; fails the test when there is not exactly one.
  std::string OnlyLine(const std::string& tag) const {
    std::vector<LogLine> lines = Lines(tag);
    EXPECT_EQ(lines.size(), 1u) << "lines tagged " << tag;
    return lines.empty() ? std::string() : lines[0].text;
  }

  // The skip reason the report gives for `semid`, or "<not skipped>".
  static std::string SkipReason(const CleanupReport& r, int semid) {
    for (const auto& [id, reason] : r.skips) {
      if (id == semid) return reason;
    }
    return "<not skipped>";
  }

  TempDir dir_;
  FakeSysV sysv_;
  FakeProcessTable procs_;
  Ledger previous_;
  std::vector<LogLine> log_;
  Cleanup cleanup_{&sysv_, &procs_, [this](Level level, const char* tag, const std::string& text) {
                     log_.push_back({level, tag, text});
                   }};
};

// ---- The previous run's sets ----

TEST_F(CleanupTest, RemovesTheFreeSetsOfADeadOwnerAndNothingElse) {
  int leftover = AddRecorded(HttpdSet(), "mpm-accept");
  int foreign = sysv_.Add(HttpdSet());  // same shape, in no ledger
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_EQ(sysv_.removed(), std::vector<int>{leftover});
  EXPECT_TRUE(sysv_.Exists(foreign));
  EXPECT_EQ(r.removed, 1);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_EQ(r.previous_owner, kOwner);
  std::string removed = OnlyLine("SG00015");
  EXPECT_TRUE(HasText(removed, "semaphore set " + std::to_string(leftover) + " (mpm-accept)"));
  EXPECT_TRUE(HasText(removed, "pid 812"));
  EXPECT_TRUE(HasText(OnlyLine("SG00025"), "pid 812 is gone"));
}

// Each set is judged on the reads made just before its removal: for every IPC_RMID, the call
// right before it probes that very set, so nothing can change between the judgement's reads and
// the removal but what the kernel itself does.
TEST_F(CleanupTest, EachRemovalFollowsTheProbeOfThatSetWithNothingInBetween) {
  const int first = AddRecorded(HttpdSet(), "mpm-accept");
  const int second = AddRecorded(HttpdSet(), "ssl");
  CleanupReport r = cleanup_.Run(Input());
  ASSERT_EQ(r.removed, 2);
  EXPECT_EQ(sysv_.removed(), (std::vector<int>{first, second}));
  using Op = FakeSysV::Op;
  const auto lead_ups = sysv_.LeadUpToEachRemoval(1);
  ASSERT_EQ(lead_ups.size(), 2u);
  for (const auto& calls : lead_ups) {
    const int semid = calls.back().second;
    EXPECT_EQ(calls, (std::vector<std::pair<Op, int>>{{Op::kProbe, semid}, {Op::kRemove, semid}}))
        << "IPC_RMID of " << semid << " not right after its probe";
  }
}

TEST_F(CleanupTest, ASetInUseIsSkippedWithItsReason) {
  SemSet held = HttpdSet();
  held.value = 0;
  SemSet waited = HttpdSet();
  waited.waiters = 2;
  procs_.AddProcess(kLiveUser);
  int held_id = AddRecorded(held);
  int waited_id = AddRecorded(waited);
  int used_id = AddRecorded(HttpdSet(kLiveUser));
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.skipped, 3);
  EXPECT_EQ(SkipReason(r, held_id), "in use: not free (value 0)");
  EXPECT_EQ(SkipReason(r, waited_id), "in use: 2 process(es) wait on it");
  EXPECT_EQ(SkipReason(r, used_id), "in use: its last user, pid 7100, is alive");
  std::vector<LogLine> kept = Lines("SG00016");
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].level, Level::kWarn);
  EXPECT_TRUE(HasText(kept[0].text, "semaphore set " + std::to_string(held_id)));
  EXPECT_TRUE(HasText(kept[0].text, "not free (value 0)"));
  EXPECT_TRUE(HasText(kept[1].text, "2 process(es) wait on it"));
  EXPECT_TRUE(HasText(kept[2].text, "pid 7100, is alive"));
}

TEST_F(CleanupTest, AReusedSemidIsSkipped) {
  int semid = AddRecorded(HttpdSet());
  SemSet other = HttpdSet();
  other.ctime += 60;  // another set now holds the semid
  ASSERT_TRUE(sysv_.Replace(semid, other));
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.Exists(semid));
  EXPECT_EQ(r.removed, 0);
  EXPECT_TRUE(HasText(SkipReason(r, semid), "its semid now names another set"));
  EXPECT_TRUE(HasText(OnlyLine("SG00016"), "its semid now names another set"));
}

// A ledger that names another live instance's sets (copied, restored, forged): its owner is
// dead and each set is the very one named, yet the live instance's ledger names them too.
TEST_F(CleanupTest, ASetALiveInstancesLedgerAlsoNamesIsKept) {
  const int theirs = AddRecorded(HttpdSet(), "ssl");
  const int ours = AddRecorded(HttpdSet());
  LiveInstance(5100, {theirs});
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_EQ(sysv_.removed(), (std::vector<int>{ours}));
  EXPECT_TRUE(sysv_.Exists(theirs));
  EXPECT_EQ(SkipReason(r, theirs),
            "the ledger of a live instance, " + dir_.File("live.ledger") + ", records it too");
  EXPECT_TRUE(HasText(OnlyLine("SG00016"), "records it too"));
  ASSERT_EQ(r.kept.size(), 1u) << "carried, to be judged again later";
  EXPECT_EQ(r.kept[0].set.semid, theirs);
}

// The monitor's retry of kept sets asks the same question.
TEST_F(CleanupTest, TheRetryOfKeptSetsAlsoKeepsWhatALiveInstanceRecords) {
  const int theirs = AddRecorded(HttpdSet(), "ssl");
  LiveInstance(5100, {theirs});
  std::vector<RecordedSet> inherited = {previous_.sets[0]};
  inherited[0].inherited = true;
  inherited[0].owner = RunOwner{previous_.owner.process, previous_.owner.lock};
  EXPECT_EQ(cleanup_.RetryInherited(Input(), &inherited), 0);
  EXPECT_TRUE(sysv_.Exists(theirs));
  EXPECT_EQ(inherited.size(), 1u);
}

TEST_F(CleanupTest, ALiveOwnerKeepsEverySet) {
  procs_.AddProcess(TestIdentity(kOwner, 4711));
  int a = AddRecorded(HttpdSet());
  int b = AddRecorded(HttpdSet(), "ssl");
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.removed().empty());
  // Only looked at (IPC_STAT), to drop what is gone from the carried list; never probed.
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kStat), 2);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kProbe), 0);
  EXPECT_EQ(r.skipped, 2);
  EXPECT_EQ(r.kept.size(), 2u) << "carried into the new ledger";
  EXPECT_EQ(SkipReason(r, a), "pid 812 is still running (same start time)");
  EXPECT_EQ(SkipReason(r, b), "pid 812 is still running (same start time)");
  std::string warn = OnlyLine("SG00022");
  EXPECT_TRUE(HasText(warn, "may be alive"));
  EXPECT_TRUE(HasText(warn, "2 recorded set(s) are kept in the ledger"));
  EXPECT_TRUE(Lines("SG00016").empty());
}

TEST_F(CleanupTest, AnUnidentifiableOwnerKeepsEverySet) {
  procs_.AddUnidentifiable(kOwner, Status::Io("open /proc/812/stat: Permission denied"));
  AddRecorded(HttpdSet());
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.skipped, 1);
  EXPECT_TRUE(HasText(OnlyLine("SG00022"), "cannot be identified"));
}

TEST_F(CleanupTest, AnOwnerPidNowNamingAnotherProcessIsDead) {
  procs_.AddProcess(TestIdentity(kOwner, 99999));
  int semid = AddRecorded(HttpdSet());
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_EQ(sysv_.removed(), std::vector<int>{semid});
  EXPECT_EQ(r.removed, 1);
  EXPECT_TRUE(HasText(OnlyLine("SG00025"), "start time differs"));
}

TEST_F(CleanupTest, ReportModeRemovesNothingAndSaysWhatWouldGo) {
  int semid = AddRecorded(HttpdSet());
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kReport));
  EXPECT_TRUE(sysv_.Exists(semid));
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kRemove), 0);
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_TRUE(HasText(OnlyLine("SG00016"), "would be removed"));
}

TEST_F(CleanupTest, OffExaminesNothing) {
  int semid = AddRecorded(HttpdSet());
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOff));
  EXPECT_TRUE(sysv_.Exists(semid));
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kStat), 0);
  EXPECT_EQ(r.previous_owner, 0);
  EXPECT_EQ(r.removed + r.skipped + r.gone, 0);
}

TEST_F(CleanupTest, AVanishedSetIsCountedAsGoneWithoutALine) {
  int semid = AddRecorded(HttpdSet());
  ASSERT_TRUE(sysv_.Vanish(semid));
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_EQ(r.gone, 1);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_EQ(r.removed, 0);
  EXPECT_TRUE(Lines("SG00016").empty());
}

TEST_F(CleanupTest, ASetThatVanishesBetweenStatAndProbeIsGone) {
  int semid = AddRecorded(HttpdSet());
  sysv_.SetBeforeCall([&](FakeSysV::Op op, int id) {
    if (op == FakeSysV::Op::kProbe && id == semid) sysv_.Vanish(id);
  });
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_EQ(r.gone, 1);
  EXPECT_EQ(r.skipped, 0);
}

TEST_F(CleanupTest, ASetThatCannotBeExaminedIsSkipped) {
  int semid = AddRecorded(HttpdSet());
  sysv_.FailNext(FakeSysV::Op::kStat, Status::Io("semctl: Permission denied"));
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.Exists(semid));
  EXPECT_TRUE(HasText(SkipReason(r, semid), "cannot be examined: semctl: Permission denied"));
}

TEST_F(CleanupTest, ARemovalFailureIsASkip) {
  int semid = AddRecorded(HttpdSet());
  sysv_.FailRemove(semid, EPERM);
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.Exists(semid));
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_TRUE(HasText(SkipReason(r, semid), "removal failed"));
  EXPECT_TRUE(HasText(OnlyLine("SG00016"), "removal failed"));
  EXPECT_TRUE(Lines("SG00015").empty());
}

// ---- Adoption ----

// A table with one true adoption candidate and a decoy for each rule that must spare a set.
class AdoptionTest : public CleanupTest {
 protected:
  void SetUp() override {
    CleanupTest::SetUp();
    procs_.AddProcess(kLiveUser);
    candidate_ = sysv_.Add(HttpdSet());
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.nsems = 2; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.mode = 0666; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.key = 0x1234; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.uid = 1000; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.cuid = 1000; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.value = 0; })));
    decoys_.push_back(sysv_.Add(With([](SemSet& s) { s.waiters = 1; })));
    decoys_.push_back(sysv_.Add(HttpdSet(kLiveUser)));  // another program's, its creator runs
    decoys_.push_back(sysv_.Add(HttpdSet(0)));          // last user outside this pid namespace
    decoys_.push_back(AddRecorded(HttpdSet()));         // in this instance's previous ledger
    int live = sysv_.Add(HttpdSet());
    decoys_.push_back(live);
    LiveInstance(900, {live});
  }

  static SemSet With(void (*change)(SemSet&)) {
    SemSet s = HttpdSet();
    change(s);
    return s;
  }

  // Adoption alone: the previous run's cleanup is off, its ledger still counts.
  CleanupReport Adopt(AdoptMode mode) { return cleanup_.Run(Input(CleanupMode::kOff, mode)); }

  void ExpectDecoysKept() {
    for (int semid : decoys_) EXPECT_TRUE(sysv_.Exists(semid)) << "decoy " << semid;
  }

  int candidate_ = -1;
  std::vector<int> decoys_;
};

TEST_F(AdoptionTest, ReportLogsTheCandidateAndRemovesNothing) {
  CleanupReport r = Adopt(AdoptMode::kReport);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kRemove), 0);
  EXPECT_EQ(r.candidates, 1);
  EXPECT_EQ(r.adopted, 0);
  std::vector<LogLine> found = Lines("SG00018");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].level, Level::kWarn);
  EXPECT_TRUE(
      HasText(found[0].text, "semaphore set " + std::to_string(candidate_) + " looks like"));
  EXPECT_TRUE(HasText(found[0].text, "SemGuardAdopt Remove would remove it"));
}

TEST_F(AdoptionTest, RemoveTakesTheTrueCandidateOnly) {
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_EQ(sysv_.removed(), std::vector<int>{candidate_});
  ExpectDecoysKept();
  EXPECT_EQ(r.candidates, 1);
  EXPECT_EQ(r.adopted, 1);
  EXPECT_TRUE(HasText(OnlyLine("SG00019"), "semaphore set " + std::to_string(candidate_)));
  EXPECT_TRUE(Lines("SG00018").empty());
}

TEST_F(AdoptionTest, OffFindsNothing) {
  CleanupReport r = Adopt(AdoptMode::kOff);
  EXPECT_EQ(r.candidates, 0);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 0);
}

TEST_F(AdoptionTest, ALiveHttpdWithoutTheModuleBlocksRemove) {
  procs_.AddHttpd(4242, {});
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.candidates, 1);
  EXPECT_EQ(r.adopted, 0);
  std::string line = OnlyLine("SG00018");
  EXPECT_TRUE(HasText(line, "not removed: live httpd process(es) without mod_semguard (pid 4242)"));
}

TEST_F(AdoptionTest, ReportSaysWhenRemoveWouldBeBlocked) {
  procs_.AddHttpd(4242, {});
  Adopt(AdoptMode::kReport);
  EXPECT_TRUE(
      HasText(OnlyLine("SG00018"), "SemGuardAdopt Remove would not remove it now: live httpd"));
}

TEST_F(AdoptionTest, AnUnreadableLiveLedgerBlocksRemove) {
  procs_.AddHttpd(950, {dir_.File("missing.ledger.lock")});
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.adopted, 0);
  EXPECT_TRUE(HasText(OnlyLine("SG00018"), "the ledger of a live instance cannot be read"));
}

TEST_F(AdoptionTest, ThisInstancesOwnUnwrittenLedgerDoesNotBlock) {
  procs_.AddHttpd(101, {dir_.File("own.ledger.lock")});  // a process sharing our lock
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_EQ(sysv_.removed(), std::vector<int>{candidate_});
  EXPECT_EQ(r.adopted, 1);
}

TEST_F(AdoptionTest, AsksForTheHttpdProcessesOtherThanItself) {
  procs_.AddHttpd(kSelf, {});
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_EQ(r.adopted, 1);
  EXPECT_EQ(procs_.httpd_self_asked(), kSelf);
  EXPECT_EQ(procs_.httpd_exe_asked(), "/usr/sbin/apache2");
}

TEST_F(AdoptionTest, AsksOnlyForTheStartingUsersProcesses) {
  Adopt(AdoptMode::kRemove);
  EXPECT_EQ(procs_.httpd_uid_asked(), kStarter);
}

// Issue 8, case 1: a container sharing our IPC namespace, whose lock has our lock's path text.
TEST_F(AdoptionTest, AContainersLockWithOurPathTextBlocksRemoveInsteadOfPassingAsOurs) {
  const std::string own = dir_.File("own.ledger.lock");
  procs_.IdOf(own);  // our lock file, here
  procs_.AddHttpd(48, {});
  procs_.AddHeldLock(48, {own, FileId{64769, 1}, FakeProcessTable::kStarterUid});
  procs_.InOtherMountNamespace(48);
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.adopted, 0);
  EXPECT_TRUE(HasText(OnlyLine("SG00018"), "not removed: live httpd pid 48 in another mount "
                                           "namespace: its ledger is not readable from here"));
}

TEST_F(AdoptionTest, AContainersLockNamingALedgerHereThatIsNotItsOwnBlocks) {
  // The container's lock text names a live instance's ledger here, which accounts for nothing
  // of the container's: it must not be read as the container's.
  int other = sysv_.Add(HttpdSet());
  LiveInstance(900, {other});
  const std::string text = dir_.File("live.ledger.lock");
  procs_.AddHttpd(48, {});
  procs_.AddHeldLock(48, {text, FileId{64769, 2}, FakeProcessTable::kStarterUid});
  procs_.InOtherMountNamespace(48);
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_TRUE(HasText(Lines("SG00018").at(0).text, "another mount namespace"));
}

TEST_F(AdoptionTest, ALockDeletedUnderALiveHttpdBlocksRemove) {
  procs_.ReplaceFileAt(dir_.File("live.ledger.lock"));  // rm and a new file by another start
  Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  // The live instance's own set is unaccounted now, and a candidate too: kept all the same.
  std::vector<LogLine> lines = Lines("SG00018");
  ASSERT_EQ(lines.size(), 2u);
  for (const LogLine& l : lines) EXPECT_TRUE(HasText(l.text, "pid 900 holds a lock that is no "
                                                             "longer the file at"));
}

// Issue 8, case 8: what the server's User runs can neither block adoption nor cost the parent.
TEST_F(AdoptionTest, AnotherUsersApache2ProcessesHoldingLocksNeitherBlockNorAccount) {
  for (pid_t pid = 3000; pid < 3022; ++pid) {
    procs_.AddHttpd(pid, {});
    procs_.AddHeldLock(pid, {dir_.File("hoard.ledger.lock"), FileId{64769, 7}, 33});
    procs_.RunAs(pid, 33);
  }
  procs_.AddHttpd(3100, {});  // an unguarded-looking apache2 of www-data
  procs_.RunAs(3100, 33);
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_EQ(sysv_.removed(), std::vector<int>{candidate_});
  EXPECT_EQ(r.adopted, 1);
  EXPECT_TRUE(Lines("SG00018").empty());
}

// Orphans of a killed server run as User and still hold its lock: their ledger is read.
TEST_F(AdoptionTest, OrphansOfAnotherUserStillAccountForTheirInstancesSets) {
  LiveInstance(901, {candidate_}, "orphans.ledger");
  procs_.RunAs(901, 33);
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.candidates, 0);
}

TEST_F(AdoptionTest, OrphansWhoseLockFileWasReplacedBlockRemove) {
  LiveInstance(901, {}, "orphans.ledger");
  procs_.RunAs(901, 33);
  procs_.ReplaceFileAt(dir_.File("orphans.ledger.lock"));
  Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_TRUE(HasText(OnlyLine("SG00018"), "deleted or replaced"));
}

TEST_F(AdoptionTest, AStarterProcessHoldingAnotherUsersLockFileIsUnguarded) {
  procs_.AddHttpd(3200, {});
  procs_.AddHeldLock(3200, {dir_.File("planted.ledger.lock"), FileId{64769, 3}, 33});
  Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_TRUE(HasText(OnlyLine("SG00018"), "without mod_semguard (pid 3200)"));
}

TEST_F(AdoptionTest, ARemovalFailureIsLogged) {
  sysv_.FailRemove(candidate_, EPERM);
  CleanupReport r = Adopt(AdoptMode::kRemove);
  EXPECT_TRUE(sysv_.Exists(candidate_));
  EXPECT_EQ(r.adopted, 0);
  EXPECT_TRUE(
      HasText(OnlyLine("SG00024"), "could not remove semaphore set " + std::to_string(candidate_)));
}

TEST_F(AdoptionTest, OwnSetsAreNoCandidates) {
  int mine = sysv_.Add(HttpdSet());
  CleanupInput in = Input(CleanupMode::kOff, AdoptMode::kRemove);
  std::vector<int> seen;
  AdoptionScan scan =
      cleanup_.FindAdoptionCandidates(in, [&](const SemSet& s, const std::string& blocker) {
        seen.push_back(s.semid);
        EXPECT_EQ(blocker, "");
      });
  EXPECT_EQ(scan.candidates, 2);
  in.own_sets = {mine};
  seen.clear();
  scan = cleanup_.FindAdoptionCandidates(
      in, [&](const SemSet& s, const std::string&) { seen.push_back(s.semid); });
  EXPECT_EQ(scan.candidates, 1);
  EXPECT_EQ(seen, std::vector<int>{candidate_});
  EXPECT_TRUE(sysv_.removed().empty());  // finding removes nothing
}

// ---- The summary ----

TEST_F(CleanupTest, TheSummaryCountsMatchTheReport) {
  AddRecorded(HttpdSet());
  SemSet held = HttpdSet();
  held.value = 0;
  AddRecorded(held);
  int vanished = AddRecorded(HttpdSet());
  sysv_.Vanish(vanished);
  sysv_.Add(HttpdSet(6001));  // a leftover no ledger knows
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kRemove));
  EXPECT_EQ(r.removed, 1);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_EQ(r.gone, 1);
  EXPECT_EQ(r.candidates, 1);
  EXPECT_EQ(r.adopted, 1);
  std::vector<LogLine> summary = Lines("SG00017");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].level, Level::kNotice);
  EXPECT_TRUE(HasText(summary[0].text, "1 leftover set(s) of the previous run removed, 1 skipped, "
                                       "1 adoption candidate(s) found, 1 adopted and removed ("));
}

// ---- The liveness cache ----

TEST_F(CleanupTest, EachPidsLivenessIsAskedOnceARun) {
  for (int i = 0; i < 3; ++i) AddRecorded(HttpdSet(kDeadUser));
  for (int i = 0; i < 4; ++i) sysv_.Add(HttpdSet(kDeadUser));
  for (int i = 0; i < 2; ++i) sysv_.Add(HttpdSet(6001));
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kReport, AdoptMode::kReport));
  EXPECT_EQ(r.skipped, 3);
  EXPECT_EQ(r.candidates, 6);
  EXPECT_EQ(procs_.alive_calls(kDeadUser), 1);
  EXPECT_EQ(procs_.alive_calls(6001), 1);
  EXPECT_EQ(procs_.alive_calls(kOwner), 1);
}

TEST_F(CleanupTest, TheLivenessCacheDoesNotOutliveARun) {
  sysv_.Add(HttpdSet(6001));
  EXPECT_EQ(cleanup_.Run(Input(CleanupMode::kOff, AdoptMode::kReport)).candidates, 1);
  procs_.AddProcess(6001);  // the pid is in use again
  EXPECT_EQ(cleanup_.Run(Input(CleanupMode::kOff, AdoptMode::kReport)).candidates, 0);
  EXPECT_EQ(procs_.alive_calls(6001), 2);
}

// ---- The full table ----

class FullTableTest : public CleanupTest {
 protected:
  // A table of `limit` slots holding `in_use` sets of uid 1000 that no rule touches.
  void Fill(int limit, int in_use) {
    sysv_.SetLimits(limit, 1000000, 250);
    SemSet other;
    other.key = 0x4000;
    other.nsems = 2;
    other.uid = other.cuid = 1000;
    other.mode = 0666;
    for (int i = 0; i < in_use; ++i) sysv_.Add(other);
  }
  CleanupInput Runs(int sets_per_run) {
    CleanupInput in = Input(CleanupMode::kOn, AdoptMode::kOff);
    in.sets_per_run = sets_per_run;
    return in;
  }
};

TEST_F(FullTableTest, FewerFreeSetsThanARunMakesIsDiagnosed) {
  Fill(10, 8);
  cleanup_.Run(Runs(3));
  std::vector<LogLine> lines = Lines("SG00021");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, Level::kError);
  EXPECT_TRUE(
      HasText(lines[0].text, "8 of 10 sets (SEMMNI) and 16 of 1000000 semaphores (SEMMNS) in use"));
  EXPECT_TRUE(HasText(lines[0].text, "by owner uid 1000: 8"));
  EXPECT_TRUE(HasText(lines[0].text, "this server's last run made 3"));
}

TEST_F(FullTableTest, EnoughFreeSetsAreNotDiagnosed) {
  Fill(10, 7);
  cleanup_.Run(Runs(3));
  EXPECT_TRUE(Lines("SG00021").empty());
}

TEST_F(FullTableTest, AnUnknownRunSizeCountsAsTwo) {
  Fill(10, 9);
  cleanup_.Run(Runs(0));
  EXPECT_TRUE(HasText(OnlyLine("SG00021"), "a server like this typically makes 2"));
}

TEST_F(FullTableTest, AnUnknownRunSizeWithTwoFreeIsNotDiagnosed) {
  Fill(10, 8);
  cleanup_.Run(Runs(0));
  EXPECT_TRUE(Lines("SG00021").empty());
}

TEST_F(FullTableTest, TheDiagnosisLooksAtTheTableAfterTheCleanup) {
  Fill(10, 8);
  AddRecorded(HttpdSet());
  AddRecorded(HttpdSet());  // the table is full until these two go
  cleanup_.Run(Runs(2));
  EXPECT_EQ(sysv_.removed().size(), 2u);
  EXPECT_TRUE(Lines("SG00021").empty());
}


// ---- SemGuardAdopt Auto ----

// AdoptionTest's table (one true candidate and a decoy for each rule), two more candidates, and
// the kernel's limits set so that this start does or does not fit (it needs 2 sets here).
class AutoAdoptionTest : public AdoptionTest {
 protected:
  void SetUp() override {
    AdoptionTest::SetUp();
    candidates_ = {candidate_, sysv_.Add(HttpdSet(6001)), sysv_.Add(HttpdSet(6002))};
  }
  // `free_sets` slots and `free_sems` semaphores left over what the table holds now.
  void LeaveFree(int free_sets, long free_sems) {
    TableInfo now;
    ASSERT_TRUE(sysv_.Info(&now).ok());
    sysv_.SetLimits(now.sets_in_use + free_sets, now.sems_in_use + free_sems, 250);
  }
  std::vector<int> SortedRemoved(const FakeSysV& sysv) const {
    std::vector<int> out = sysv.removed();
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<int> candidates_;
};

TEST_F(AutoAdoptionTest, IsTheDefault) {
  EXPECT_EQ(Settings{}.adopt, AdoptMode::kAuto);
  EXPECT_EQ(CleanupInput{}.adopt, AdoptMode::kAuto);
}

TEST_F(AutoAdoptionTest, RemovesNothingWhileTheTableHasRoom) {
  LeaveFree(2, 1000);
  CleanupReport r = Adopt(AdoptMode::kAuto);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kRemove), 0);
  EXPECT_EQ(r.candidates, 3);
  EXPECT_EQ(r.adopted, 0);
  std::vector<LogLine> found = Lines("SG00018");
  ASSERT_EQ(found.size(), 3u);
  EXPECT_TRUE(HasText(found[0].text, "SemGuardAdopt Auto removes it only when a start cannot fit"));
  EXPECT_TRUE(Lines("SG00060").empty());
  EXPECT_TRUE(Lines("SG00061").empty());
  EXPECT_TRUE(Lines("SG00021").empty());
}

TEST_F(AutoAdoptionTest, ATableShortOfSetsMakesItRemoveExactlyWhatRemoveWould) {
  LeaveFree(1, 1000);
  FakeSysV twin = sysv_;  // the same table, for SemGuardAdopt Remove
  Cleanup twin_cleanup(&twin, &procs_, [](Level, const char*, const std::string&) {});
  CleanupInput with_remove = Input(CleanupMode::kOff, AdoptMode::kRemove);
  twin_cleanup.Run(with_remove);
  CleanupReport r = Adopt(AdoptMode::kAuto);
  std::vector<int> expected = candidates_;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(SortedRemoved(twin), expected);
  EXPECT_EQ(SortedRemoved(sysv_), expected);
  ExpectDecoysKept();
  EXPECT_EQ(r.adopted, 3);
  EXPECT_EQ(Lines("SG00019").size(), 3u);
  EXPECT_TRUE(Lines("SG00018").empty());
  std::vector<LogLine> said = Lines("SG00060");
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].level, Level::kWarn);
  EXPECT_TRUE(HasText(said[0].text, "could not fit this start (1 of 15 sets (SEMMNI)"));
  EXPECT_TRUE(HasText(said[0].text, "a server like this typically makes 2)"));
  EXPECT_TRUE(HasText(said[0].text, "SemGuardAdopt Auto removed 3 of 3 httpd-shaped"));
  EXPECT_TRUE(Lines("SG00021").empty()) << "the start fits now";
}

TEST_F(AutoAdoptionTest, ATableShortOfSemaphoresCountsToo) {
  LeaveFree(100, 1);
  Adopt(AdoptMode::kAuto);
  EXPECT_EQ(sysv_.removed().size(), 3u);
  EXPECT_TRUE(HasText(OnlyLine("SG00060"), "1 of 16 semaphores (SEMMNS) free"));
}

TEST_F(AutoAdoptionTest, TheLastRunsCountIsWhatThisStartNeeds) {
  LeaveFree(2, 1000);
  CleanupInput in = Input(CleanupMode::kOff, AdoptMode::kAuto);
  in.sets_per_run = 3;
  cleanup_.Run(in);
  EXPECT_EQ(sysv_.removed().size(), 3u);
  EXPECT_TRUE(HasText(OnlyLine("SG00060"), "this server's last run made 3)"));
}

TEST_F(AutoAdoptionTest, ALiveHttpdWithoutTheModuleKeepsEverythingAndGetsOneLine) {
  procs_.AddHttpd(4242, {});
  LeaveFree(1, 1000);
  CleanupReport r = Adopt(AdoptMode::kAuto);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.candidates, 3);
  EXPECT_EQ(r.adopted, 0);
  EXPECT_TRUE(Lines("SG00018").empty()) << "one line for all of them";
  std::vector<LogLine> said = Lines("SG00061");
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].level, Level::kError);
  EXPECT_TRUE(HasText(said[0].text, "removed none of the 3 httpd-shaped leftover(s)"));
  EXPECT_TRUE(HasText(said[0].text, "live httpd process(es) without mod_semguard (pid 4242)"));
  EXPECT_TRUE(HasText(said[0].text, "Load mod_semguard in that server too, or stop it"));
  EXPECT_EQ(Lines("SG00021").size(), 1u) << "the start still will not fit";
}

TEST_F(AutoAdoptionTest, TheRoomIsMeasuredAfterThePreviousRunsCleanup) {
  LeaveFree(1, 1000);
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kAuto));
  EXPECT_EQ(r.removed, 1) << "the set the previous run's ledger records";
  EXPECT_EQ(r.adopted, 0) << "which made room enough";
  EXPECT_EQ(sysv_.removed().size(), 1u);
  for (int semid : candidates_) EXPECT_TRUE(sysv_.Exists(semid));
}

TEST_F(AutoAdoptionTest, AnUnknownTableSizeRemovesNothing) {
  LeaveFree(0, 0);
  sysv_.FailNext(FakeSysV::Op::kInfo, Status::Io("semctl: Invalid argument"));
  CleanupReport r = Adopt(AdoptMode::kAuto);
  EXPECT_TRUE(sysv_.removed().empty());
  EXPECT_EQ(r.candidates, 3);
}


// ---- Picking the sets from the caller's scan (the recorder's pre_config snapshot) ----------

class CallerTableTest : public AdoptionTest {
 protected:
  // The table as the caller scanned it a moment ago.
  std::vector<SemSet> Rows() {
    std::vector<SemSet> rows;
    EXPECT_TRUE(sysv_.Scan(&rows).ok());
    return rows;
  }
  CleanupReport AdoptFrom(const std::vector<SemSet>& rows, AdoptMode mode = AdoptMode::kRemove) {
    CleanupInput in = Input(CleanupMode::kOff, mode);
    in.table = &rows;
    return cleanup_.Run(in);
  }
};

TEST_F(CallerTableTest, TheCleanupScansNothingItselfAndTakesTheSameSets) {
  const std::vector<SemSet> rows = Rows();
  const int scans = sysv_.calls(FakeSysV::Op::kScan);
  CleanupReport r = AdoptFrom(rows);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), scans);
  EXPECT_EQ(sysv_.removed(), std::vector<int>{candidate_});
  ExpectDecoysKept();
  ASSERT_EQ(r.removed_sets.size(), 1u);
  EXPECT_EQ(r.removed_sets[0].semid, candidate_);
}

// A row of the caller's scan only says which set to look at: each candidate is read again
// (IPC_STAT) and then probed, right before its removal, as a row of the cleanup's own scan is.
TEST_F(CallerTableTest, EachRemovalFollowsAFreshStatAndProbeOfThatSet) {
  const std::vector<SemSet> rows = Rows();
  AdoptFrom(rows);
  using Op = FakeSysV::Op;
  const auto lead_ups = sysv_.LeadUpToEachRemoval(2);
  ASSERT_EQ(lead_ups.size(), 1u);
  const int semid = lead_ups[0].back().second;
  EXPECT_EQ(lead_ups[0], (std::vector<std::pair<Op, int>>{
                             {Op::kStat, semid}, {Op::kProbe, semid}, {Op::kRemove, semid}}));
}

// What a stale row could hide, each tried on the one true candidate.
TEST_F(CallerTableTest, ACandidateReplacedUnderItsSemidSinceTheScanIsKept) {
  const std::vector<SemSet> rows = Rows();
  SemSet other = HttpdSet();
  other.ctime += 7;  // a set made later under the same semid (the kernel reused it)
  ASSERT_TRUE(sysv_.Replace(candidate_, other));
  CleanupReport r = AdoptFrom(rows);
  EXPECT_TRUE(sysv_.Exists(candidate_));
  EXPECT_EQ(r.candidates, 0);
}

TEST_F(CallerTableTest, ACandidateHandedToAnotherOwnerSinceTheScanIsKept) {
  const std::vector<SemSet> rows = Rows();
  SemSet* now = sysv_.Find(candidate_);
  now->uid = 1000;  // IPC_SET in the same second: ctime unchanged, the shape is not httpd's now
  CleanupReport r = AdoptFrom(rows);
  EXPECT_TRUE(sysv_.Exists(candidate_));
  EXPECT_EQ(r.candidates, 0);
}

TEST_F(CallerTableTest, ACandidateTakenSinceTheScanIsKept) {
  const std::vector<SemSet> rows = Rows();
  sysv_.Find(candidate_)->value = 0;
  sysv_.Find(candidate_)->last_pid = kLiveUser;
  CleanupReport r = AdoptFrom(rows);
  EXPECT_TRUE(sysv_.Exists(candidate_));
  EXPECT_EQ(r.candidates, 0);
}

TEST_F(CallerTableTest, ACandidateGoneSinceTheScanIsPassedOver) {
  const std::vector<SemSet> rows = Rows();
  ASSERT_TRUE(sysv_.Vanish(candidate_));
  CleanupReport r = AdoptFrom(rows);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kRemove), 0);
  EXPECT_EQ(r.candidates, 0);
  EXPECT_TRUE(Lines("SG00024").empty());
}

// A set made after the caller's scan is not looked at in this cleanup: it stays (the next
// start, or the parent's count, sees it).
TEST_F(CallerTableTest, ASetMadeAfterTheScanIsLeftForLater) {
  const std::vector<SemSet> rows = Rows();
  const int later = sysv_.Add(HttpdSet());
  AdoptFrom(rows);
  EXPECT_TRUE(sysv_.Exists(later));
  EXPECT_FALSE(sysv_.Exists(candidate_));
}

// The crashed-start search and the adoption share one table, and the search rules out by the
// last-operation pid alone (one read) every set the dead owner did not touch last.
TEST_F(CleanupTest, CrashSearchAndAdoptionShareOneScanAndRuleOutByTheLastPidFirst) {
  previous_.owner.written_at = semguard_test::kSetCreated - 10;
  std::vector<int> leftovers;
  for (int i = 0; i < 5; ++i) leftovers.push_back(sysv_.Add(HttpdSet()));
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kRemove));
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 1);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kLastPid), 5);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kProbe), 5) << "the adoption's, one per set";
  EXPECT_EQ(r.adopted, 5);
  EXPECT_TRUE(Lines("SG00030").empty());
  EXPECT_EQ(r.removed_sets.size(), 5u);
}

TEST_F(CleanupTest, ACrashedRunsSetIsJudgedOnAFullReadAfterItsLastPidMatched) {
  previous_.owner.written_at = semguard_test::kSetCreated - 10;
  const int late = sysv_.Add(HttpdSet(kOwner));
  // Between the cheap read and the full one, a live process takes the set: it must stay.
  sysv_.SetBeforeCall([&](FakeSysV::Op op, int semid) {
    if (op == FakeSysV::Op::kProbe && semid == late) {
      sysv_.Find(late)->value = 0;
      sysv_.Find(late)->last_pid = kLiveUser;
    }
  });
  procs_.AddProcess(kLiveUser);
  CleanupReport r = cleanup_.Run(Input());
  EXPECT_TRUE(sysv_.Exists(late));
  EXPECT_EQ(r.removed, 0);
}

TEST_F(CleanupTest, ACrashedRunsSetOfTheCallersTableIsReadAgainBeforeItGoes) {
  previous_.owner.written_at = semguard_test::kSetCreated - 10;
  const int late = sysv_.Add(HttpdSet(kOwner));
  const SemSet original = *sysv_.Find(late);
  std::vector<SemSet> rows;
  ASSERT_TRUE(sysv_.Scan(&rows).ok());
  SemSet reused = HttpdSet(kOwner);
  reused.ctime += 3;  // another set under the same semid since the caller's scan
  ASSERT_TRUE(sysv_.Replace(late, reused));
  CleanupInput in = Input();
  in.table = &rows;
  CleanupReport r = cleanup_.Run(in);
  EXPECT_TRUE(sysv_.Exists(late));
  EXPECT_EQ(r.removed, 0);
  ASSERT_TRUE(sysv_.Replace(late, original));  // the very set the row describes: it goes
  cleanup_.Run(in);
  EXPECT_FALSE(sysv_.Exists(late));
  EXPECT_EQ(Lines("SG00030").size(), 1u);
}


// ---- The per-set lines of one run: the first kLoudPerSetLines loud, the rest at info ----

// How many lines carry `tag` at `level`.
int CountAt(const std::vector<LogLine>& log, const std::string& tag, Level level) {
  return static_cast<int>(std::count_if(log.begin(), log.end(), [&](const LogLine& l) {
    return l.tag == tag && l.level == level;
  }));
}

// How many lines of a per-set tag are at its own level, and how many at info.
struct PerSetCount {
  const char* tag;
  Level own;
  int loud;
  int quiet;
};
void ExpectPerSetCounts(const std::vector<LogLine>& log, std::initializer_list<PerSetCount> want) {
  for (const PerSetCount& w : want) {
    EXPECT_EQ(CountAt(log, w.tag, w.own), w.loud) << w.tag << " at its own level";
    EXPECT_EQ(CountAt(log, w.tag, Level::kInfo), w.quiet) << w.tag << " at info";
  }
}

// Where the first line tagged `tag` is in the log, or -1.
int IndexOf(const std::vector<LogLine>& log, const std::string& tag) {
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].tag == tag) return static_cast<int>(i);
  }
  return -1;
}

TEST_F(CleanupTest, UpToTheCapEveryRemovalHasItsNoticeLineAndNoSummary) {
  ASSERT_EQ(kLoudPerSetLines, 20);
  previous_.owner.written_at = semguard_test::kSetCreated - 10;
  for (int i = 0; i < 12; ++i) AddRecorded(HttpdSet());
  for (int i = 0; i < 3; ++i) sysv_.Add(HttpdSet(kOwner));  // a crashed start's
  for (int i = 0; i < 5; ++i) sysv_.Add(HttpdSet());        // no ledger's
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kRemove));
  ASSERT_EQ(r.removed + r.adopted, 20);
  ExpectPerSetCounts(log_, {{"SG00015", Level::kNotice, 12, 0},
                            {"SG00030", Level::kNotice, 3, 0},
                            {"SG00019", Level::kNotice, 5, 0}});
  for (const LogLine& l : log_) EXPECT_NE(l.level, Level::kInfo) << l.tag << ": " << l.text;
  EXPECT_TRUE(Lines("SG00048").empty());
  EXPECT_TRUE(Lines("SG00049").empty());
}

// Past the cap each removal still has its line, at info, and one notice line counts them by
// path; the counts add up to what was removed.
TEST_F(CleanupTest, PastTheCapEachRemovalIsAtInfoAndOneSummaryCountsThem) {
  previous_.owner.written_at = semguard_test::kSetCreated - 10;
  std::vector<int> all;
  for (int i = 0; i < 18; ++i) all.push_back(AddRecorded(HttpdSet()));
  for (int i = 0; i < 4; ++i) all.push_back(sysv_.Add(HttpdSet(kOwner)));
  for (int i = 0; i < 31; ++i) all.push_back(sysv_.Add(HttpdSet()));
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kRemove));
  ASSERT_EQ(r.removed, 22);
  ASSERT_EQ(r.adopted, 31);
  ExpectPerSetCounts(log_, {{"SG00015", Level::kNotice, 18, 0},
                            {"SG00030", Level::kNotice, 2, 2},
                            {"SG00019", Level::kNotice, 0, 31}});
  // Every removed set is named once, loud or at info.
  for (int semid : all) {
    const std::string named = "removed semaphore set " + std::to_string(semid) + ",";
    const std::string named_ledger = "removed semaphore set " + std::to_string(semid) + " (";
    EXPECT_EQ(std::count_if(log_.begin(), log_.end(), [&](const LogLine& l) {
                return HasText(l.text, named) || HasText(l.text, named_ledger);
              }), 1) << semid;
  }
  const std::string summary = OnlyLine("SG00048");
  EXPECT_EQ(Lines("SG00048")[0].level, Level::kNotice);
  EXPECT_TRUE(HasText(summary, "33 more set(s) removed than the 20 logged one by one")) << summary;
  EXPECT_TRUE(HasText(summary, "31 httpd-shaped leftovers no ledger knows (SG00019)")) << summary;
  EXPECT_TRUE(HasText(summary, "2 made by the previous run after its last ledger write (SG00030)"))
      << summary;
  EXPECT_FALSE(HasText(summary, "SG00015")) << "no SG00015 line went at info: " << summary;
  EXPECT_TRUE(HasText(summary, "LogLevel info")) << summary;
  EXPECT_LT(IndexOf(log_, "SG00048"), IndexOf(log_, "SG00017")) << "the summary ends the run";
  EXPECT_GT(IndexOf(log_, "SG00048"), IndexOf(log_, "SG00019"));
  EXPECT_TRUE(Lines("SG00049").empty());
}

// Kept sets are capped on their own: removals cannot use up the room of the lines that need an
// operator, and past the cap the count reaches the log at warn.
TEST_F(CleanupTest, KeptSetsHaveTheirOwnCapAndAWarnSummary) {
  procs_.AddProcess(kLiveUser);
  for (int i = 0; i < 25; ++i) AddRecorded(HttpdSet());            // removed
  for (int i = 0; i < 23; ++i) AddRecorded(HttpdSet(kLiveUser));   // kept: last user alive
  for (int i = 0; i < 4; ++i) sysv_.Add(HttpdSet());               // reported
  CleanupReport r = cleanup_.Run(Input(CleanupMode::kOn, AdoptMode::kReport));
  ASSERT_EQ(r.removed, 25);
  ASSERT_EQ(r.skipped, 23);
  ASSERT_EQ(r.candidates, 4);
  ExpectPerSetCounts(log_, {{"SG00015", Level::kNotice, 20, 5},
                            {"SG00016", Level::kWarn, 20, 3},
                            {"SG00018", Level::kWarn, 0, 4}});
  const std::vector<LogLine> kept = Lines("SG00049");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].level, Level::kWarn);
  EXPECT_TRUE(HasText(kept[0].text, "7 more set(s) kept than the 20 logged one by one"))
      << kept[0].text;
  EXPECT_TRUE(
      HasText(kept[0].text, "3 recorded by an earlier run, carried in the ledger (SG00016)"))
      << kept[0].text;
  EXPECT_TRUE(HasText(kept[0].text, "4 httpd-shaped leftovers no ledger knows, not removed"))
      << kept[0].text;
  EXPECT_TRUE(HasText(OnlyLine("SG00048"), "5 more set(s) removed"));
  EXPECT_EQ(r.kept.size(), 23u) << "the ledger carries every kept set, logged loud or not";
}

// semguardctl asks for every line at its own level: no cap, no summary.
TEST_F(CleanupTest, WithoutACapEveryPerSetLineKeepsItsLevel) {
  for (int i = 0; i < 30; ++i) AddRecorded(HttpdSet());
  CleanupInput in = Input();
  in.loud_per_set_lines = kEveryPerSetLineLoud;
  CleanupReport r = cleanup_.Run(in);
  ASSERT_EQ(r.removed, 30);
  ExpectPerSetCounts(log_, {{"SG00015", Level::kNotice, 30, 0}});
  EXPECT_TRUE(Lines("SG00048").empty());
}

// The cap counts per run: a second run starts loud again.
TEST_F(CleanupTest, EachRunHasItsOwnCap) {
  CleanupInput in = Input();
  in.loud_per_set_lines = 2;
  for (int i = 0; i < 3; ++i) AddRecorded(HttpdSet());
  cleanup_.Run(in);
  EXPECT_EQ(CountAt(log_, "SG00015", Level::kNotice), 2);
  EXPECT_TRUE(HasText(OnlyLine("SG00048"), "1 more set(s) removed than the 2 logged"));
  log_.clear();
  previous_.sets.clear();
  for (int i = 0; i < 2; ++i) AddRecorded(HttpdSet());
  cleanup_.Run(in);
  EXPECT_EQ(CountAt(log_, "SG00015", Level::kNotice), 2);
  EXPECT_TRUE(Lines("SG00048").empty());
}

// The monitor's retry of kept sets has the same cap, per retry: when the orphans that kept
// thousands of sets die, one retry removes them all.
TEST_F(CleanupTest, TheRetryOfKeptSetsHasTheCapToo) {
  std::vector<RecordedSet> inherited;
  for (int i = 0; i < 23; ++i) {
    AddRecorded(HttpdSet());
    inherited.push_back(previous_.sets.back());
    inherited.back().inherited = true;
    inherited.back().owner = RunOwner{previous_.owner.process, previous_.owner.lock};
  }
  EXPECT_EQ(cleanup_.RetryInherited(Input(), &inherited), 23);
  EXPECT_TRUE(inherited.empty());
  ExpectPerSetCounts(log_, {{"SG00033", Level::kNotice, 20, 3}});
  EXPECT_TRUE(HasText(OnlyLine("SG00048"),
                      "3 more set(s) removed than the 20 logged one by one: 3 kept earlier for a "
                      "run that is gone now (SG00033)"))
      << OnlyLine("SG00048");
}

}  // namespace
}  // namespace semguard
