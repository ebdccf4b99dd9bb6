// FillPageModel over an in-memory semaphore table (FakeSysV): this server's sets against the
// kernel, the parent's shared counters, the last start's record, and the cached full scan.
#include "page/page_builder.h"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/sem_sets.h"

#include "fakes/fake_sysv.h"

namespace semguard {
namespace {

using semguard_test::FakeSysV;
using Op = FakeSysV::Op;

class PageBuilderTest : public testing::Test {
 protected:
  void SetUp() override {
    InitRetained(&retained_);
    sysv_.SetLimits(100, 1000000, 250);
  }

  // The scan cache lives for the whole process: every test starts at a time far from any
  // earlier call's, so its first FillPageModel scans.
  static int64_t FreshNow() {
    static int64_t now = 2000000000;
    now += 1000;
    return now;
  }

  static SemSet Mutex(uid_t owner = 33) {
    SemSet s = semguard_test::HttpdMutexSet(0, owner, owner);
    s.otime = 1763900050;
    return s;
  }

  // Adds a set to the table and records it as this server's; returns its semid.
  int AddOwn(const std::string& type, SemSet s = Mutex()) {
    int semid = sysv_.Add(s);
    RecordedSet r;
    r.set = *sysv_.Find(semid);
    r.type = type;
    recorded_.push_back(r);
    return semid;
  }

  PageModel Build(int64_t now) {
    PageSources in;
    in.recorded = &recorded_;
    in.retained = &retained_;
    in.sysv = &sysv_;
    in.server_pid = 812;
    in.generation = 3;
    in.enabled = true;
    return FillPageModel(in, now);
  }

  FakeSysV sysv_;
  std::vector<RecordedSet> recorded_;
  Retained retained_{};
};

TEST_F(PageBuilderTest, CopiesWhoAndWhen) {
  const int64_t now = FreshNow();
  PageModel m = Build(now);
  EXPECT_EQ(m.now, now);
  EXPECT_EQ(m.server_pid, 812);
  EXPECT_EQ(m.generation, 3);
  EXPECT_TRUE(m.enabled);
}

TEST_F(PageBuilderTest, PresentAndVanishedSets) {
  int present = AddOwn("mpm-accept");
  int gone = AddOwn("ssl");
  int reused = AddOwn("ssl");
  ASSERT_TRUE(sysv_.Vanish(gone));
  SemSet other = Mutex();
  other.ctime += 60;  // the kernel gave the semid to another set
  ASSERT_TRUE(sysv_.Replace(reused, other));
  PageModel m = Build(FreshNow());
  ASSERT_EQ(m.server_sets.size(), 3u);
  EXPECT_EQ(m.server_sets[0].semid, present);
  EXPECT_TRUE(m.server_sets[0].present);
  EXPECT_EQ(m.server_sets[0].last_use, 1763900050);
  EXPECT_EQ(m.server_sets[0].created, 1763900000);
  EXPECT_EQ(m.server_sets[1].semid, gone);
  EXPECT_FALSE(m.server_sets[1].present);
  EXPECT_EQ(m.server_sets[1].last_use, 0);
  EXPECT_EQ(m.server_sets[2].semid, reused);
  EXPECT_FALSE(m.server_sets[2].present);
  EXPECT_EQ(m.server_sets[2].last_use, 0);
  EXPECT_EQ(m.server_sets_present, 1);
}

TEST_F(PageBuilderTest, CountsPresentSetsByType) {
  AddOwn("mpm-accept");
  AddOwn("mpm-accept");
  AddOwn("ssl");
  int vanished_ssl = AddOwn("ssl");
  int vanished_phase = AddOwn("post_config");
  sysv_.Vanish(vanished_ssl);
  sysv_.Vanish(vanished_phase);
  PageModel m = Build(FreshNow());
  const std::map<std::string, int> expected = {{"mpm-accept", 2}, {"ssl", 1}};
  EXPECT_EQ(m.server_sets_by_type, expected);
  EXPECT_EQ(m.server_sets_present, 3);
}

TEST_F(PageBuilderTest, TheTableIsReadLive) {
  AddOwn("mpm-accept");
  for (int i = 0; i < 9; ++i) sysv_.Add(Mutex(1000));
  PageModel m = Build(FreshNow());
  EXPECT_EQ(m.table.sets_in_use, 10);
  EXPECT_EQ(m.table.sets_limit, 100);
  EXPECT_EQ(m.table.sems_in_use, 10);
  EXPECT_EQ(m.table.sems_limit, 1000000);
}

TEST_F(PageBuilderTest, HeadroomIsFreeSetsOverPresentSets) {
  AddOwn("mpm-accept");
  AddOwn("ssl");
  int vanished = AddOwn("ssl");
  sysv_.Vanish(vanished);
  for (int i = 0; i < 8; ++i) sysv_.Add(Mutex(1000));
  PageModel m = Build(FreshNow());  // 10 of 100 in use, 2 sets per run
  EXPECT_EQ(m.unclean_stops_left, 45);
}

TEST_F(PageBuilderTest, HeadroomRoundsDown) {
  AddOwn("mpm-accept");
  AddOwn("ssl");
  AddOwn("post_config");
  PageModel m = Build(FreshNow());  // 97 free, 3 sets per run
  EXPECT_EQ(m.unclean_stops_left, 32);
}

TEST_F(PageBuilderTest, HeadroomIsBoundBySemaphoresToo) {
  sysv_.SetLimits(100, 14, 250);
  AddOwn("mpm-accept");
  AddOwn("ssl");
  for (int i = 0; i < 8; ++i) sysv_.Add(Mutex(1000));
  PageModel m = Build(FreshNow());  // 90 free sets but 4 free semaphores, 2 per run
  EXPECT_EQ(m.unclean_stops_left, 2);
}

TEST_F(PageBuilderTest, ATableOverItsLimitLeavesNoHeadroom) {
  sysv_.SetLimits(5, 1000000, 250);  // SEMMNI lowered below what is in use
  AddOwn("mpm-accept");
  for (int i = 0; i < 7; ++i) sysv_.Add(Mutex(1000));
  EXPECT_EQ(Build(FreshNow()).unclean_stops_left, 0);
}

TEST_F(PageBuilderTest, HeadroomIsUnknownWithoutSets) {
  int vanished = AddOwn("mpm-accept");
  sysv_.Vanish(vanished);
  EXPECT_EQ(Build(FreshNow()).unclean_stops_left, -1);
}

TEST_F(PageBuilderTest, HeadroomIsUnknownWithoutLimits) {
  AddOwn("mpm-accept");
  sysv_.FailNext(Op::kInfo, Status::Io("semctl(IPC_INFO): Operation not permitted"));
  EXPECT_EQ(Build(FreshNow()).unclean_stops_left, -1);
}

TEST_F(PageBuilderTest, ChildCountersComeFromTheSharedArea) {
  void* area = ChildExits::MapArea();
  ASSERT_NE(area, nullptr);
  SharedCounters& c = ChildExits(area).counters();
  c.child_exits = 7;
  c.child_exits_unclean = 2;
  c.vanished_sets = 1;
  c.leaked_sets = 5;
  c.leaked_at = 1763900090;
  retained_.child_area = area;
  PageModel m = Build(FreshNow());
  EXPECT_EQ(m.child_exits, 7u);
  EXPECT_EQ(m.child_exits_by_signal, 2u);
  EXPECT_EQ(m.vanished_sets, 1u);
  EXPECT_EQ(m.leaked_sets, 5);
  EXPECT_EQ(m.leaked_at, 1763900090);
}

TEST_F(PageBuilderTest, WithoutTheSharedAreaLeakedIsUnknown) {
  PageModel m = Build(FreshNow());
  EXPECT_EQ(m.leaked_sets, -1);
  EXPECT_EQ(m.child_exits, 0u);
}

TEST_F(PageBuilderTest, TheLastStartIsCopiedFromRetained) {
  StartupRecord& st = retained_.startup;
  st.ran = true;
  st.removed = 3;
  st.skipped = 1;
  st.candidates = 4;
  st.adopted = 2;
  st.millis = 12.5;
  st.previous_owner = 700;
  st.at = 1763899000;
  st.n_skips = 1;
  st.skips[0].semid = 98307;
  std::snprintf(st.skips[0].reason, sizeof(st.skips[0].reason), "%s", "in use: not free (value 0)");
  PageModel m = Build(FreshNow());
  EXPECT_TRUE(m.startup.ran);
  EXPECT_EQ(m.startup.removed, 3);
  EXPECT_EQ(m.startup.skipped, 1);
  EXPECT_EQ(m.startup.candidates, 4);
  EXPECT_EQ(m.startup.adopted, 2);
  EXPECT_EQ(m.startup.millis, 12.5);
  EXPECT_EQ(m.startup.previous_owner, 700);
  EXPECT_EQ(m.startup.at, 1763899000);
  ASSERT_EQ(m.startup.n_skips, 1);
  EXPECT_EQ(m.startup.skips[0].semid, 98307);
  EXPECT_STREQ(m.startup.skips[0].reason, "in use: not free (value 0)");
}

// ---- The scan cache ----

TEST_F(PageBuilderTest, ASecondBuildWithinTheCacheTimeDoesNotRescan) {
  AddOwn("mpm-accept");
  const int64_t t = FreshNow();
  PageModel first = Build(t);
  EXPECT_EQ(sysv_.calls(Op::kScan), 1);
  EXPECT_EQ(first.sets_by_owner, (std::map<uid_t, int>{{33, 1}}));
  EXPECT_EQ(first.scanned_at, t);

  sysv_.Add(Mutex(1000));
  PageModel cached = Build(t + kScanCacheSeconds - 1);
  EXPECT_EQ(sysv_.calls(Op::kScan), 1);
  EXPECT_EQ(cached.sets_by_owner, first.sets_by_owner);
  EXPECT_EQ(cached.scanned_at, t);
  EXPECT_EQ(cached.table.sets_in_use, 2);  // the totals stay live

  PageModel rescanned = Build(t + kScanCacheSeconds);
  EXPECT_EQ(sysv_.calls(Op::kScan), 2);
  EXPECT_EQ(rescanned.sets_by_owner, (std::map<uid_t, int>{{33, 1}, {1000, 1}}));
  EXPECT_EQ(rescanned.scanned_at, t + kScanCacheSeconds);
}

TEST_F(PageBuilderTest, AClockThatWentBackRescans) {
  const int64_t t = FreshNow();
  Build(t);
  Build(t - 1);
  EXPECT_EQ(sysv_.calls(Op::kScan), 2);
}

TEST_F(PageBuilderTest, AFailedScanKeepsThePreviousOneAndItsTime) {
  sysv_.Add(Mutex(33));
  const int64_t t = FreshNow();
  Build(t);
  sysv_.Add(Mutex(1000));
  sysv_.FailNext(Op::kScan, Status::Io("semctl(SEM_STAT): Permission denied"));
  PageModel stale = Build(t + kScanCacheSeconds);
  EXPECT_EQ(stale.sets_by_owner, (std::map<uid_t, int>{{33, 1}}));
  EXPECT_EQ(stale.scanned_at, t);
  PageModel next = Build(t + kScanCacheSeconds + 1);  // the failed scan set no new time
  EXPECT_EQ(next.sets_by_owner, (std::map<uid_t, int>{{33, 1}, {1000, 1}}));
}

}  // namespace
}  // namespace semguard
