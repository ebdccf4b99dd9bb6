// Attacks on the checkpoints' slot search (Recorder::SearchNewSets), over fake tables that
// allocate like Linux before 5.4 (lowest free slot) and since (cyclic): another program of the
// same creator uid churning httpd-shaped sets at the right moments, sets of several
// semaphores, a recorded set whose slot and semid come back, a set last touched by a dead
// process that had this server's pid, and a start killed between two checkpoints. Each test
// states the property the safety rules need; a test that fails names a hole.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "cleanup/cleanup_policy.h"
#include "fakes/fake_sysv.h"
#include "ledger/ledger_format.h"
#include "module/recorder.h"
#include "support/search_rig.h"
#include "support/sem_sets.h"

namespace semguard {
namespace {

using semguard_test::FakeSysV;
using semguard_test::TestIdentity;
using Allocation = FakeSysV::Allocation;

constexpr pid_t kNextStart = semguard_test::kRigPid + 100;  // the start after a crash
const std::string kLedger = semguard_test::kRigLedger;

class RecorderSearchAttackTest : public semguard_test::SearchRig {
 protected:
  void OpenLogs(Recorder& rec) {
    rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
    rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  }

  static bool RecordedAtAll(const Recorder& rec, int semid) {
    for (const RecordedSet& r : rec.recorded()) {
      if (r.set.semid == semid) return true;
    }
    return false;
  }
  // What a start killed right now leaves for the next start: `semid` must be named by the
  // ledger on disk, or be a set the next start's crashed-start search takes (SG00030).
  ::testing::AssertionResult NextStartFinds(int semid) {
    const Ledger ledger = OnDisk();
    if (Names(ledger, semid)) return ::testing::AssertionSuccess();
    SemSet probed = *sysv_.Find(semid);
    if (!sysv_.Probe(&probed).ok()) return ::testing::AssertionFailure() << "cannot probe";
    if (MadeByCrashedRun(probed, ledger.owner, kUid)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "semid " << semid << " (ctime " << probed.ctime << ") is not in the ledger, and "
           << "the ledger's written_at " << ledger.owner.written_at << " is later than the "
           << "set's creation, so the crashed-start search does not take it either: it leaks";
  }
};

INSTANTIATE_TEST_SUITE_P(BothPolicies, RecorderSearchAttackTest,
                         testing::Values(Allocation::kLowestFree, Allocation::kCyclic),
                         semguard_test::AllocationName);

// Attack (2): a set of ours the search missed, then a LATER search that records other sets and
// writes the ledger, then kill -9 before post_config-last. While the MPM makes its accept mutex
// another program makes a set and removes an old one; the search finds the foreign set (as many
// sets as the table grew by) and misses the accept mutex (lowest free: it sits in the slot the
// removed set left, which the snapshot still holds). Seconds later mod_ssl's three sets are
// found and recorded, and the ledger is written with a written_at after the accept mutex's
// creation. A start killed now leaves the accept mutex in no ledger and too old for the next
// start's crashed-start search (ctime >= written_at): it leaks. On main, open_logs-after-mpm
// scanned the whole table (the counts grew) and recorded it at once; a skip writes nothing, so
// the skip alone never had this.
TEST_P(RecorderSearchAttackTest, AMissedSetStaysFindableAfterALaterSearchWritesTheLedger) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int foreign = AddForeign();
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  const int accept = AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_TRUE(NextStartFinds(accept)) << "killed at open_logs-last";
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
  clock_.Set(clock_.Now() + 3);  // mod_ssl reads its keys and certificates
  const int ssl[] = {AddOurs(), AddOurs(), AddOurs()};
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  // kill -9 here, before post_config-last.
  EXPECT_TRUE(NextStartFinds(accept)) << "killed after mod_ssl's post_config";
  for (int semid : ssl) EXPECT_TRUE(NextStartFinds(semid)) << semid;
  EXPECT_FALSE(Names(OnDisk(), foreign));
}

// The same hole on a kernel that allocates cyclically (Linux 5.4 on): a table whose upper
// part is full up to max(in_use * 3 / 2, 64) makes the kernel wrap to the lowest free slot.
// Another program's set takes the hole the search reads first, the accept mutex the slot just
// after it, which another program's set left after the pre_config snapshot (a stale row the
// search skips). mod_ssl's sets, seconds later, are found and the ledger written: the accept
// mutex is on no disk and too old for the crashed-start search. (A lowest-free kernel puts the
// sets in the same slots.)
TEST_P(RecorderSearchAttackTest, AWrappedCyclicTableHidesAMissedSetFromTheNextStartToo) {
  FillWithForeignSets(96);  // slots 0..95; a cyclic kernel's next slot is 96
  const std::vector<int> ids = sysv_.Semids();
  ASSERT_TRUE(sysv_.Vanish(ids[10]));
  for (int i = 50; i < 85; ++i) ASSERT_TRUE(sysv_.Vanish(ids[static_cast<size_t>(i)]));
  // 60 sets in use: new ones go below max(90, 64), so the cyclic kernel wraps to slot 10.
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int foreign = AddForeign();
  ASSERT_EQ(foreign % FakeSysV::kSeqMultiplier, 10);
  ASSERT_TRUE(sysv_.Vanish(ids[11]));
  const int accept = AddOurs();
  ASSERT_EQ(accept % FakeSysV::kSeqMultiplier, 11);
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  clock_.Set(clock_.Now() + 2);
  const int ssl[] = {AddOurs(), AddOurs(), AddOurs()};
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  // kill -9 here, before post_config-last.
  EXPECT_TRUE(NextStartFinds(accept));
  for (int semid : ssl) EXPECT_TRUE(NextStartFinds(semid)) << semid;
}

// A set the search missed and a later search finds carries that checkpoint's label: the accept
// mutex, missed at open_logs-after-mpm, is found among mod_ssl's sets (cyclic: it sits in the
// slot the next walk reads first) and typed "ssl". A full scan labels it "mpm-accept", and so
// does the fix: a search that finds a set not ours scans the whole table at once.
TEST_P(RecorderSearchAttackTest, AMissedSetFoundByALaterSearchIsNotLabelledByAnotherModule) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  AddForeign();
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  const int accept = AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  for (int i = 0; i < 3; ++i) AddOurs();
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  for (const RecordedSet& r : rec.recorded()) {
    if (r.set.semid == accept) {
      EXPECT_NE(r.type, "ssl") << "the MPM's accept mutex typed as mod_ssl's";
    }
  }
  EXPECT_TRUE(RecordedAtAll(rec, accept));
  EXPECT_EQ(rec.recorded().size(), 4u);
}

// The same hole with no foreign set found at all, so a fix that scans whenever a search finds a
// foreign set would not close it: another program removes one of its sets while mod_ssl makes
// two, a second apart (the first in the slot just freed, which the snapshot still holds). The
// table grew by one; the search finds the second set, ours, and writes the ledger, whose
// written_at is after the first set's creation.
TEST_P(RecorderSearchAttackTest, AMissedSetStaysFindableWhenTheSearchFoundOnlyOurs) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  OpenLogs(rec);
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  const int first = AddOurs();
  clock_.Set(clock_.Now() + 1);
  const int second = AddOurs();
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  // kill -9 here, before post_config-last.
  EXPECT_TRUE(NextStartFinds(first));
  EXPECT_TRUE(NextStartFinds(second));
}

// The same crash, carried through to the next start: a new process (the old one is dead, its
// lock gone with it) runs the startup cleanup on the ledger the killed start left. Every set of
// the killed start must be gone or named by the new ledger, never left unknown to all.
TEST_P(RecorderSearchAttackTest, TheNextStartAfterAKillRemovesOrKeepsEverySetOfTheKilledStart) {
  FillWithForeignSets(10);
  std::vector<int> ours;
  {
    Recorder rec = FirstPass();
    Begin(rec);
    rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    AddForeign();
    ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
    ours.push_back(AddOurs());
    rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
    rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
    rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
    rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
    clock_.Set(clock_.Now() + 3);
    for (int i = 0; i < 3; ++i) ours.push_back(AddOurs());
    rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
    // kill -9: the process and its lock go; its sets stay.
    files_.CloseFile(retained_.lock.fd);
    procs_.Kill(kSelf);
  }
  clock_.Set(clock_.Now() + 60);
  procs_.AddProcess(TestIdentity(kNextStart, 9999), kNextStart);
  Retained next{};
  Environment env;
  env.main_state = MainState::kCreatePreConfig;
  env.generation = 1;
  env.pid = kNextStart;
  env.euid = kUid;
  env.exe = "/usr/sbin/apache2";
  Seams seams;
  seams.sysv = &sysv_;
  seams.procs = &procs_;
  seams.files = &files_;
  seams.clock = &clock_;
  Recorder start(env, &next, log_.Sink(), seams);
  Begin(start);
  start.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_TRUE(start.holds_lock());
  const Ledger now = OnDisk();
  for (int semid : ours) {
    EXPECT_TRUE(!sysv_.Exists(semid) || Names(now, semid))
        << "semid " << semid << " of the killed start survives in no ledger: leaked";
  }
  // Its owner is provably dead (no process, no lock): nothing of it has to stay.
  for (int semid : ours) EXPECT_FALSE(sysv_.Exists(semid)) << semid;
  EXPECT_EQ(sysv_.Semids().size(), 10u) << "the foreign sets only: ten, one gone, one new";
}

// Attack (1)/(5): sets of two semaphores. Ours (one semaphore) and another program's set of two
// appear while one of its old sets goes: one set and two semaphores more. A search that reads
// the two-semaphore set first adds up without ours; ours is left to post_config-last. Whatever
// the search finds, the foreign sets are never recorded and ours is recorded by the end.
TEST_P(RecorderSearchAttackTest, MixedSizeChurnNeverRecordsAForeignSetAndLosesNoneOfOurs) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int two = AddForeign(2);
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  const int accept = AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  // Another program: a set of our shape last touched by a process that is not this one, then
  // one of ours goes (an ipcrm loop) while another foreign set comes: the counts stay equal.
  const int same_shape = AddForeign(1, kSelf + 7);
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  const int ssl = AddOurs();
  const int ssl_gone = AddOurs();
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  ASSERT_TRUE(sysv_.Vanish(ssl_gone));
  const int churn = AddForeign(1, kSelf + 8);
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});

  for (int semid : {two, same_shape, churn}) {
    EXPECT_FALSE(RecordedAtAll(rec, semid)) << semid;
    EXPECT_FALSE(Names(OnDisk(), semid)) << semid;
  }
  EXPECT_TRUE(RecordedAtAll(rec, accept));
  EXPECT_TRUE(RecordedAtAll(rec, ssl));
  EXPECT_FALSE(RecordedAtAll(rec, ssl_gone)) << "gone: post_config-last's scan drops it";
  EXPECT_EQ(rec.recorded().size(), 2u);
  const Ledger ledger = OnDisk();
  EXPECT_TRUE(Names(ledger, accept));
  EXPECT_TRUE(Names(ledger, ssl));
  EXPECT_EQ(ledger.sets.size(), 2u);
}

// Attack (4): pid reuse. A set that existed before this pass, of our shape and creator, whose
// last user was a dead process that had this server's pid. It is in the pre_config snapshot,
// and no search, stale snapshot row or slot reuse around it ever makes it look new.
TEST_P(RecorderSearchAttackTest, ASetOlderThanThePassLastTouchedByOurPidIsNeverRecorded) {
  FillWithForeignSets(5);
  const int old = AddForeign(1, kSelf);  // our pid, from before this process existed
  FillWithForeignSets(5);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  // Churn around it: removals below it, sets above and in the freed slots, at every phase.
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[2]));
  AddForeign();
  const int accept = AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[0]));
  AddForeign();
  AddForeign();
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  const int ssl = AddOurs();
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  EXPECT_FALSE(RecordedAtAll(rec, old));
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  EXPECT_FALSE(RecordedAtAll(rec, old));
  EXPECT_FALSE(Names(OnDisk(), old));
  EXPECT_TRUE(RecordedAtAll(rec, accept));
  EXPECT_TRUE(RecordedAtAll(rec, ssl));
  EXPECT_EQ(rec.recorded().size(), 2u);
}

// Attack (4), the snapshot missing altogether: pre_config's scan fails (SEM_INFO refused once),
// so the first checkpoint's full scan compares the table against an empty snapshot, and every
// set in it looks new. A set older than this process, of our shape and creator, whose last user
// was a dead process that had this server's pid, then passes the ours-test and is recorded; the
// next start, this server dead, would remove another program's set. Not the search's doing
// (main before the fix did the same), but it was the one path by which a set that existed
// before the pass looked new. Now the first scan that works is a baseline only (SG00050).
TEST_P(RecorderSearchAttackTest, ASetOlderThanThePassIsNotRecordedWhenPreConfigsScanFailed) {
  FillWithForeignSets(5);
  const int old = AddForeign(1, kSelf);  // our pid, from before this process existed
  Recorder rec = FirstPass();
  sysv_.FailNext(FakeSysV::Op::kScan, Status::Io("semctl(SEM_INFO): Operation not permitted"));
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  EXPECT_FALSE(RecordedAtAll(rec, old)) << "a set older than the pass taken for ours";
  EXPECT_FALSE(Names(OnDisk(), old));
}

// Attack (3): a set recorded by the previous generation vanishes after the restart's pre_config
// snapshot (an ipcrm), and another program's set of our shape takes its slot and, the sequence
// having wrapped, its very semid (another creation time). The snapshot still holds the gone set
// in that slot, so no search reads it; the counts are equal, so checkpoints skip. The foreign
// set is never recorded, and post_config-last drops the gone one from the ledger.
TEST_P(RecorderSearchAttackTest, ARecordedSetsSlotAndSemidReusedByAForeignSetIsNeverTakenAsOurs) {
  FillWithForeignSets(6);
  Recorder first = FirstPass();
  Begin(first);
  first.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  first.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  first.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  const int ssl = AddOurs();  // mod_ssl's: outlives restarts
  first.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  first.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  ASSERT_TRUE(RecordedAtAll(first, ssl));

  clock_.Set(clock_.Now() + 30);
  Recorder second = NewRecorder(MainState::kCreateConfig, 2, "/usr/sbin/apache2");
  Begin(second);
  ASSERT_TRUE(RecordedAtAll(second, ssl));
  ASSERT_TRUE(sysv_.Vanish(ssl));
  SemSet reuse = semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf + 3);
  reuse.semid = ssl;
  reuse.ctime = clock_.Now();
  reuse.uid = 0;  // another program's set: its creator still owns it, not httpd's User
  ASSERT_EQ(sysv_.Add(reuse), ssl);
  second.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = AddOurs();
  second.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  second.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  for (const RecordedSet& r : second.recorded()) {
    if (r.set.semid == ssl) {
      EXPECT_NE(r.set.ctime, reuse.ctime) << "the foreign set recorded";
    }
  }
  second.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  EXPECT_FALSE(RecordedAtAll(second, ssl)) << "gone, and its semid names a foreign set now";
  EXPECT_FALSE(Names(OnDisk(), ssl));
  EXPECT_TRUE(RecordedAtAll(second, accept));
  EXPECT_TRUE(sysv_.Exists(ssl)) << "nothing removed the foreign set";
}

}  // namespace
}  // namespace semguard
