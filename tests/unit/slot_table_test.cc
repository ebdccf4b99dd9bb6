// The recorder's table in slot order: which sets are new, what the cleanup took out, which
// recorded sets are still there.
#include "module/slot_table.h"

#include <vector>

#include <gtest/gtest.h>

#include "support/sem_sets.h"

namespace semguard {
namespace {

SemSet InSlot(int index, int seq = 0, int64_t ctime = semguard_test::kSetCreated) {
  SemSet s = semguard_test::HttpdMutexSet();
  s.index = index;
  s.semid = index + 32768 * seq;
  s.ctime = ctime;
  return s;
}

std::vector<int> NewSemids(const SlotTable& before, const SlotTable& now) {
  std::vector<int> ids;
  ForEachNewSet(before, now, [&ids](const SemSet& s) { ids.push_back(s.semid); });
  return ids;
}

TEST(SlotTableTest, NewSetsAreTheEmptySlotsAndTheReusedOnes) {
  const SlotTable before = {InSlot(0), InSlot(2), InSlot(5)};
  const SlotTable now = {InSlot(0), InSlot(1), InSlot(2, 1), InSlot(5), InSlot(9)};
  EXPECT_EQ(NewSemids(before, now), (std::vector<int>{1, 2 + 32768, 9}));
  EXPECT_TRUE(NewSemids(now, now).empty());
  EXPECT_EQ(NewSemids({}, before).size(), 3u);
}

TEST(SlotTableTest, ASetWithTheSameSemidButAnotherCtimeIsNew) {
  EXPECT_EQ(NewSemids({InSlot(4)}, {InSlot(4, 0, semguard_test::kSetCreated + 1)}).size(), 1u);
}

TEST(SlotTableTest, PutInSlotKeepsTheOrderAndReplacesTheSlot) {
  SlotTable table = {InSlot(0), InSlot(5)};
  PutInSlot(&table, InSlot(3));
  PutInSlot(&table, InSlot(9));
  PutInSlot(&table, InSlot(5, 2));
  ASSERT_EQ(table.size(), 4u);
  EXPECT_EQ(table[1].index, 3);
  EXPECT_EQ(table[2].semid, 5 + 2 * 32768);
  EXPECT_EQ(table[3].index, 9);
  EXPECT_TRUE(HoldsSlot(table, 3));
  EXPECT_FALSE(HoldsSlot(table, 4));
}

TEST(SlotTableTest, TakeOutRemovesOnlyTheVerySets) {
  SlotTable table = {InSlot(0), InSlot(1), InSlot(2)};
  table[1].nsems = 3;
  SemSet gone = table[1];
  const TakenOut taken =
      TakeOut(&table, {gone, InSlot(2, 0, semguard_test::kSetCreated + 5), InSlot(7)});
  EXPECT_EQ(taken.sets, 1);
  EXPECT_EQ(taken.sems, 3);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[1].index, 2) << "another set under semid 2 stays";
}

TEST(SlotTableTest, KeepSetsInTableDropsTheGoneAndTheReplaced) {
  SemSet replaced = InSlot(1, 0, semguard_test::kSetCreated + 9);
  replaced.uid = 0;  // another program's set under the semid: owned by its creator
  const SemSet reset = InSlot(4, 0, semguard_test::kSetCreated + 9);  // SETVAL moved its ctime
  const SemSet older = InSlot(5, 0, semguard_test::kSetCreated - 1);  // made before the recorded
  const SlotTable table = {InSlot(0), replaced, InSlot(3), reset, older};
  std::vector<RecordedSet> recorded(6);
  recorded[0].set = InSlot(3);
  recorded[1].set = InSlot(1);  // its semid names another set now
  recorded[2].set = InSlot(2);  // gone
  recorded[3].set = InSlot(0);
  recorded[3].type = "ssl";
  recorded[4].set = InSlot(4);  // still there; only its ctime moved
  recorded[5].set = InSlot(5);  // a ctime can only move forward: another set
  KeepSetsInTable(table, &recorded);
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded[0].set.semid, 3);
  EXPECT_EQ(recorded[1].set.semid, 0);
  EXPECT_EQ(recorded[1].type, "ssl");
  EXPECT_EQ(recorded[2].set.semid, 4);
  EXPECT_EQ(recorded[2].set.ctime, semguard_test::kSetCreated) << "kept as recorded";
}

}  // namespace
}  // namespace semguard
