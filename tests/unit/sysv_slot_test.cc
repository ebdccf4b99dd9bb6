// SysV::StatSlot on the real kernel, in a private IPC namespace.
#include <sys/ipc.h>
#include <sys/sem.h>

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "os/sysv.h"
#include "support/private_ipc.h"

namespace semguard {
namespace {

TEST(RealSysVSlotTest, StatSlotReadsTheSetTheScanSawInThatSlotAndNothingInAnEmptyOne) {
  ASSERT_TRUE(semguard_test::EnterPrivateIpcNamespace());
  const int first = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  const int second = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  std::vector<SemSet> sets;
  ASSERT_TRUE(RealSysV().Scan(&sets).ok());
  int empty_slot = 0;
  for (const SemSet& scanned : sets) {
    if (scanned.semid != first && scanned.semid != second) continue;
    ASSERT_GE(scanned.index, 0);
    SemSet read;
    ASSERT_TRUE(RealSysV().StatSlot(scanned.index, &read).ok());
    EXPECT_EQ(read.semid, scanned.semid);
    EXPECT_EQ(read.index, scanned.index);
    EXPECT_TRUE(SameIdentity(scanned, read));
    empty_slot = std::max(empty_slot, scanned.index + 1);
  }
  SemSet none;
  EXPECT_EQ(RealSysV().StatSlot(empty_slot, &none).code(), Status::Code::kNotFound);
  semctl(first, 0, IPC_RMID);
  semctl(second, 0, IPC_RMID);
}

}  // namespace
}  // namespace semguard
