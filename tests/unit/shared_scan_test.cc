// The status page's shared scan: one full-table scan per kScanCacheSeconds for every process of
// the server, read through the shared mapping.
#include <gtest/gtest.h>

#include "support/sem_sets.h"

#include "os/child_exits.h"
#include "fakes/fake_sysv.h"
#include "module/retained.h"
#include "page/page_builder.h"

namespace {

using semguard::FillPageModel;
using semguard::ChildExits;
using semguard::Retained;
using semguard::SemSet;
using semguard::PageSources;
using semguard_test::FakeSysV;

SemSet OwnedBy(uid_t uid) { return semguard_test::HttpdMutexSet(0, uid, 0); }

class SharedScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    semguard::InitRetained(&retained_);
    retained_.child_area = ChildExits::MapArea();
    ASSERT_NE(retained_.child_area, nullptr);
    sources_.retained = &retained_;
    sources_.sysv = &sysv_;
  }

  Retained retained_{};
  FakeSysV sysv_;
  PageSources sources_;
};

TEST_F(SharedScanTest, ScansOncePerWindowAndPublishesCountsByOwner) {
  sysv_.Add(OwnedBy(33));
  sysv_.Add(OwnedBy(33));
  sysv_.Add(OwnedBy(0));
  auto first = FillPageModel(sources_, 1000);
  EXPECT_EQ(first.sets_by_owner, (std::map<uid_t, int>{{0, 1}, {33, 2}}));
  EXPECT_EQ(first.scanned_at, 1000);
  int scans = sysv_.calls(FakeSysV::Op::kScan);

  sysv_.Add(OwnedBy(33));  // within the window: the shared copy is served, not a new scan
  auto second = FillPageModel(sources_, 1000 + semguard::kScanCacheSeconds - 1);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), scans);
  EXPECT_EQ(second.sets_by_owner.at(33), 2);

  auto third = FillPageModel(sources_, 1000 + semguard::kScanCacheSeconds);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), scans + 1);
  EXPECT_EQ(third.sets_by_owner.at(33), 3);
  EXPECT_EQ(third.scanned_at, 1000 + semguard::kScanCacheSeconds);
}

TEST_F(SharedScanTest, ASecondProcessReadsWhatTheFirstPublished) {
  sysv_.Add(OwnedBy(7));
  FillPageModel(sources_, 2000);
  // Another child: its own Retained copy (as after fork) points at the same shared mapping.
  Retained copy = retained_;
  FakeSysV other_view;  // a scan here would see nothing: proves the published copy is used
  PageSources other{};
  other.retained = &copy;
  other.sysv = &other_view;
  auto m = FillPageModel(other, 2001);
  EXPECT_EQ(m.sets_by_owner, (std::map<uid_t, int>{{7, 1}}));
  EXPECT_EQ(other_view.calls(FakeSysV::Op::kScan), 0);
}

TEST_F(SharedScanTest, AClaimLeftByADeadChildExpires) {
  sysv_.Add(OwnedBy(5));
  auto& scan = ChildExits(retained_.child_area).counters().scan;
  scan.claimed_at.store(3000);  // a child claimed the rescan and died
  auto m = FillPageModel(sources_, 3010);
  EXPECT_TRUE(m.sets_by_owner.empty()) << "a fresh claim is respected";
  m = FillPageModel(sources_, 3031);
  EXPECT_EQ(m.sets_by_owner.at(5), 1) << "a claim older than 30 s is taken over";
}

}  // namespace
