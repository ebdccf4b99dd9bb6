// The checkpoints' search of a few slots for the sets that appeared (Recorder::SearchNewSets):
// over fake tables that allocate like Linux before 5.4 (lowest free slot) and since (cyclic),
// what it costs in SEM_STAT calls, and that it never records a foreign set nor loses one of ours.
#include <string>
#include <vector>

#include <gtest/gtest.h>

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

constexpr int kForeignSets = 2000;

class RecorderSearchTest : public semguard_test::SearchRig {
 protected:
  // The SEM_STAT calls and full scans `cp` makes.
  struct Cost {
    long slot_reads;
    int scans;
  };
  Cost At(Recorder& rec, Checkpoint cp, const std::vector<std::string_view>& between) {
    const long reads = sysv_.slot_reads();
    const int scans = sysv_.calls(FakeSysV::Op::kScan);
    rec.AtCheckpoint(cp, between);
    return Cost{sysv_.slot_reads() - reads, sysv_.calls(FakeSysV::Op::kScan) - scans};
  }

  bool Recorded(const Recorder& rec, int semid, const std::string& type) const {
    for (const RecordedSet& r : rec.recorded()) {
      if (r.set.semid == semid) return r.type == type;
    }
    return false;
  }
  bool RecordedAtAll(const Recorder& rec, int semid) const {
    for (const RecordedSet& r : rec.recorded()) {
      if (r.set.semid == semid) return true;
    }
    return false;
  }
};

INSTANTIATE_TEST_SUITE_P(BothPolicies, RecorderSearchTest,
                         testing::Values(Allocation::kLowestFree, Allocation::kCyclic),
                         semguard_test::AllocationName);

// A whole first pass beside 2,000 foreign sets: the accept mutex and mod_ssl's three are each
// found in as many slot reads as sets, and the table is read in full only at pre_config and
// post_config-last.
TEST_P(RecorderSearchTest, ADenseTablesNewSetsAreFoundInOneSlotReadEach) {
  FillWithForeignSets(kForeignSets);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = AddOurs();
  const Cost after_mpm = At(rec, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(after_mpm.scans, 0);
  EXPECT_EQ(after_mpm.slot_reads, 1);
  EXPECT_TRUE(Recorded(rec, accept, "mpm-accept"));
  EXPECT_EQ(At(rec, Checkpoint::kOpenLogsLast, {}).slot_reads, 0) << "counts unchanged: skipped";

  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
  const int ssl[] = {AddOurs(), AddOurs(), AddOurs()};
  const Cost after_ssl = At(rec, Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  EXPECT_EQ(after_ssl.scans, 0);
  EXPECT_EQ(after_ssl.slot_reads, 3);
  for (int semid : ssl) EXPECT_TRUE(Recorded(rec, semid, "ssl")) << semid;

  const Cost last = At(rec, Checkpoint::kPostConfigLast, {});
  EXPECT_EQ(last.scans, 1) << "post_config-last always reads the whole table";
  EXPECT_EQ(rec.recorded().size(), 4u);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 2);
  EXPECT_LT(sysv_.slot_reads(), 2 * (kForeignSets + 4) + 8);
}

// Holes the startup cleanup (or anyone) left below the top: a lowest-free kernel fills them
// first, a cyclic one goes on after the last slot it gave. Either way one read finds the set.
TEST_P(RecorderSearchTest, ATableWithHolesStillNeedsOneSlotRead) {
  FillWithForeignSets(kForeignSets);
  const std::vector<int> ids = sysv_.Semids();
  for (int i : {17, 500, 1500}) ASSERT_TRUE(sysv_.Vanish(ids[static_cast<size_t>(i)]));
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = AddOurs();
  const Cost cost = At(rec, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(cost.scans, 0);
  EXPECT_LE(cost.slot_reads, 2);
  EXPECT_TRUE(Recorded(rec, accept, "mpm-accept"));
}

// Another program makes a set of our very shape (only its last user differs) and removes one
// of its sets while the MPM makes its accept mutex: one set more, as the MPM's alone would be.
// The kernel puts the foreign set on top (next after the last slot given, or the lowest free
// one) and the accept mutex after it (cyclic) or in the slot just left (lowest free): the
// search reads the top and finds the foreign set, as many sets as the table grew by. A set that
// is not ours among them means the count may stand for one of ours the search cannot see (in a
// slot the snapshot still holds), so the checkpoint scans the whole table: the accept mutex is
// recorded there, with the MPM's label; the foreign set is never recorded.
TEST_P(RecorderSearchTest, AForeignSetAmongTheFoundMakesTheCheckpointScanAndNeverRecordsIt) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int foreign = AddForeign();
  ASSERT_EQ(foreign % FakeSysV::kSeqMultiplier, 10);
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  const int accept = AddOurs();
  const Cost cost = At(rec, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(cost.scans, 1);
  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_TRUE(Recorded(rec, accept, "mpm-accept"));
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_TRUE(Recorded(rec, accept, "mpm-accept"));
  EXPECT_FALSE(RecordedAtAll(rec, foreign));
}

// A search that records one set of ours and misses another (it went into a slot a foreign set
// left) writes the ledger at once. Its written_at is then the time of the last full scan, not
// the write's: a start that died now would leave the missed set, made after that scan, to the
// next start's crashed-start search, which takes sets made at or after written_at.
TEST_P(RecorderSearchTest, AWriteAfterASearchDatesTheLedgerFromTheLastFullScan) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);  // the pre_config scan, at the rig clock's 1764600000
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  SemSet missed = semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf);
  missed.ctime = 1764600003;
  missed.semid = 3 + FakeSysV::kSeqMultiplier;  // in the slot the foreign set left
  ASSERT_GE(sysv_.Add(missed), 0);
  const int found = AddOurs();
  ASSERT_EQ(found % FakeSysV::kSeqMultiplier, 10);
  clock_.Set(1764600005);
  const Cost cost = At(rec, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(cost.scans, 0);
  ASSERT_EQ(rec.recorded().size(), 1u);
  ASSERT_EQ(rec.recorded()[0].set.semid, found);
  Ledger written;
  ASSERT_TRUE(DecodeLedger(files_.Text(semguard_test::kRigLedger), &written).ok());
  ASSERT_EQ(written.sets.size(), 1u) << "written right after the search";
  EXPECT_LE(written.owner.written_at, missed.ctime);
  EXPECT_EQ(written.owner.written_at, 1764600000);

  clock_.Set(1764600009);
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  ASSERT_TRUE(DecodeLedger(files_.Text(semguard_test::kRigLedger), &written).ok());
  EXPECT_EQ(written.sets.size(), 2u) << "the full scan records the missed set";
  EXPECT_EQ(written.owner.written_at, 1764600009) << "after a full scan: the write's own time";
}

// Sets found, but not the semaphores the table grew by (a foreign two-semaphore set went into
// a slot the snapshot holds): the search does not stand for a scan, the checkpoint scans.
TEST_P(RecorderSearchTest, FoundSetsThatDoNotAddUpFallBackToAFullScan) {
  FillWithForeignSets(10);
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_TRUE(sysv_.Vanish(sysv_.Semids()[3]));
  SemSet two = semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf + 1);
  two.nsems = 2;
  two.semid = 3 + FakeSysV::kSeqMultiplier;  // into the slot a foreign set left
  ASSERT_GE(sysv_.Add(two), 0);
  const int accept = AddOurs();
  ASSERT_EQ(accept % FakeSysV::kSeqMultiplier, 10);
  const Cost cost = At(rec, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(cost.scans, 1) << "one set more, found; but three semaphores more, not one";
  EXPECT_TRUE(Recorded(rec, accept, "mpm-accept"));
  EXPECT_EQ(rec.recorded().size(), 1u);
}

// A restart whose ledger names a set that vanished before the pass (pconf's cleanup took the
// old generation's accept mutex), and the MPM's new set has its very semid (a reused id). The
// pre_config scan did not see the gone set, so the restart drops it as it loads the ledger; the
// search then finds the new set and records it, the new one, not the gone one.
TEST_P(RecorderSearchTest, ASetGoneBeforeThePassIsDroppedAndItsReusedSemidRecordedAsNew) {
  Recorder first = FirstPass();
  Begin(first);
  first.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = AddOurs();
  first.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  first.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  first.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  ASSERT_TRUE(Recorded(first, accept, "mpm-accept"));
  ASSERT_TRUE(sysv_.Vanish(accept));  // pconf's cleanup at the restart

  Recorder second = NewRecorder(MainState::kCreateConfig, 2, "/usr/sbin/apache2");
  Begin(second);
  EXPECT_TRUE(second.recorded().empty()) << "the gone set is still taken for recorded";
  second.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  EXPECT_FALSE(Names(OnDisk(), accept)) << "the pass's first write names the gone set";
  SemSet again = semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf);
  again.semid = accept;
  again.ctime += 60;
  ASSERT_EQ(sysv_.Add(again), accept);
  const Cost cost = At(second, Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(cost.scans, 0);
  ASSERT_EQ(second.recorded().size(), 1u);
  EXPECT_EQ(second.recorded()[0].set.ctime, again.ctime) << "the new set, not the gone one";
  EXPECT_EQ(second.recorded()[0].type, "mpm-accept");
}

// The folder's fsync makes a ledger's rename outlive a filesystem that loses what was not
// synced while the server runs on; only a write that names a set the last one lacked needs it.
// A first pass writes three times: the owner alone (open_logs-first), the accept mutex, and the
// same sets at post_config-last (open_logs-last skips: nothing changed): only the second write
// syncs the folder.
TEST_P(RecorderSearchTest, OnlyAWriteThatNamesANewSetSyncsTheFolder) {
  Recorder rec = FirstPass();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  AddOurs();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  EXPECT_EQ(files_.folder_syncs, (std::vector<bool>{false, true, false}));
}

}  // namespace
}  // namespace semguard
