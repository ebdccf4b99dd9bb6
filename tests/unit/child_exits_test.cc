#include "os/child_exits.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace semguard {
namespace {

using Exit = ChildExits::Exit;

class ChildExitsTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(area_, nullptr) << "mmap failed"; }

  void* area_ = ChildExits::MapArea();
  ChildExits exits_{area_};
};

TEST_F(ChildExitsTest, FreshAreaCountsNothing) {
  EXPECT_EQ(exits_.counters().child_exits.load(), 0u);
  EXPECT_EQ(exits_.counters().child_exits_unclean.load(), 0u);
  EXPECT_EQ(exits_.counters().child_exits_unknown.load(), 0u);
  EXPECT_EQ(exits_.counters().vanished_sets.load(), 0u);
}

TEST_F(ChildExitsTest, MarkedChildExitedCleanly) {
  exits_.ChildStarted(100);
  exits_.ChildExitedCleanly(100);
  EXPECT_EQ(exits_.ParentSawExit(100), Exit::kClean);
}

TEST_F(ChildExitsTest, UnmarkedChildExitedUncleanly) {
  exits_.ChildStarted(101);
  EXPECT_EQ(exits_.ParentSawExit(101), Exit::kUnclean);
}

TEST_F(ChildExitsTest, ChildNeverStartedIsUnknown) {
  EXPECT_EQ(exits_.ParentSawExit(102), Exit::kUnknown);
}

TEST_F(ChildExitsTest, CleanMarkOfAnUntrackedChildIsIgnored) {
  exits_.ChildExitedCleanly(103);
  EXPECT_EQ(exits_.ParentSawExit(103), Exit::kUnknown);
}

TEST_F(ChildExitsTest, CountersAddUp) {
  exits_.ChildStarted(100);
  exits_.ChildStarted(101);
  exits_.ChildExitedCleanly(100);
  EXPECT_EQ(exits_.ParentSawExit(100), Exit::kClean);
  EXPECT_EQ(exits_.ParentSawExit(101), Exit::kUnclean);
  EXPECT_EQ(exits_.ParentSawExit(102), Exit::kUnknown);
  EXPECT_EQ(exits_.counters().child_exits.load(), 3u);
  EXPECT_EQ(exits_.counters().child_exits_unclean.load(), 1u);
  EXPECT_EQ(exits_.counters().child_exits_unknown.load(), 1u);
}

TEST_F(ChildExitsTest, SlotIsFreedOnceTheParentSawTheExit) {
  exits_.ChildStarted(100);
  exits_.ChildExitedCleanly(100);
  ASSERT_EQ(exits_.ParentSawExit(100), Exit::kClean);
  EXPECT_EQ(exits_.ParentSawExit(100), Exit::kUnknown);
  // The pid, reused by a later child, is tracked afresh.
  exits_.ChildStarted(100);
  EXPECT_EQ(exits_.ParentSawExit(100), Exit::kUnclean);
}

TEST_F(ChildExitsTest, PidsThatHashToTheSameSlotAreKeptApart) {
  // kChildSlots is a power of two: these three start at the same slot.
  const pid_t n = static_cast<pid_t>(kChildSlots);
  exits_.ChildStarted(7);
  exits_.ChildStarted(7 + n);
  exits_.ChildStarted(7 + 2 * n);
  exits_.ChildExitedCleanly(7 + n);
  EXPECT_EQ(exits_.ParentSawExit(7), Exit::kUnclean);  // frees the first slot of the chain
  EXPECT_EQ(exits_.ParentSawExit(7 + n), Exit::kClean);
  EXPECT_EQ(exits_.ParentSawExit(7 + 2 * n), Exit::kUnclean);
}

TEST(ChildExitsTableTest, ChildrenBeyondTheTableAreUnknown) {
  void* area = ChildExits::MapArea();
  ASSERT_NE(area, nullptr);
  ChildExits exits(area);
  const pid_t last = 1000 + static_cast<pid_t>(kChildSlots);
  for (pid_t pid = 1000; pid < last; ++pid) exits.ChildStarted(pid);
  exits.ChildStarted(last);  // table full
  EXPECT_EQ(exits.ParentSawExit(last), Exit::kUnknown);
  EXPECT_EQ(exits.ParentSawExit(1000), Exit::kUnclean);
  EXPECT_EQ(exits.ParentSawExit(last - 1), Exit::kUnclean);
}

// Issue 8, case 7: what a child can write (the whole mapping) never steers the parent.
uint32_t* HeaderWords(void* area) { return static_cast<uint32_t*>(area); }

TEST_F(ChildExitsTest, ACorruptedSlotCountIsNotRead) {
  ASSERT_EQ(HeaderWords(area_)[0], 0x53474358u) << "the area starts with its magic, SGCX";
  ASSERT_EQ(HeaderWords(area_)[1], kChildSlots);
  exits_.ChildStarted(4242);
  exits_.ChildStarted(4243);
  exits_.ChildExitedCleanly(4243);
  for (uint32_t bad : {0u, 1u, 3u, 1u << 31, 0xffffffffu}) {
    HeaderWords(area_)[1] = bad;
    HeaderWords(area_)[0] = ~0u;
    exits_.ChildStarted(5000 + static_cast<pid_t>(bad & 0xff));
  }
  EXPECT_EQ(exits_.ParentSawExit(4242), Exit::kUnclean);
  EXPECT_EQ(exits_.ParentSawExit(4243), Exit::kClean);
  EXPECT_EQ(exits_.ParentSawExit(4244), Exit::kUnknown);  // searched every slot, no further
}

TEST_F(ChildExitsTest, ATableFullOfGarbageEndsTheSearchAtTheLastSlot) {
  exits_.ChildStarted(1);
  HeaderWords(area_)[1] = 1u << 31;  // the scribble module's value
  // A child that fills every slot with foreign pids: the parent's search is still bounded.
  for (pid_t pid = 100000; pid < 100000 + static_cast<pid_t>(kChildSlots); ++pid) {
    exits_.ChildStarted(pid);
  }
  EXPECT_EQ(exits_.ParentSawExit(77), Exit::kUnknown);
  EXPECT_EQ(exits_.ParentSawExit(1), Exit::kUnclean);
}

TEST_F(ChildExitsTest, PidZeroNeverMatchesAFreeSlot) {
  EXPECT_EQ(exits_.ParentSawExit(0), Exit::kUnknown);
  EXPECT_EQ(exits_.counters().child_exits_unknown.load(), 1u);
}

TEST_F(ChildExitsTest, ForkedChildThatMarksItselfIsClean) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    exits_.ChildStarted(getpid());
    exits_.ChildExitedCleanly(getpid());
    _exit(0);
  }
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_EQ(exits_.ParentSawExit(child), Exit::kClean);
  EXPECT_EQ(exits_.counters().child_exits.load(), 1u);
  EXPECT_EQ(exits_.counters().child_exits_unclean.load(), 0u);
}

TEST_F(ChildExitsTest, ForkedChildKilledBySigkillIsUnclean) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    exits_.ChildStarted(getpid());
    char started = 's';
    if (write(ready[1], &started, 1) != 1) _exit(2);
    for (;;) pause();
  }
  close(ready[1]);
  char started = 0;
  ASSERT_EQ(read(ready[0], &started, 1), 1);
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(exits_.ParentSawExit(child), Exit::kUnclean);
  EXPECT_EQ(exits_.counters().child_exits_unclean.load(), 1u);
}

}  // namespace
}  // namespace semguard
