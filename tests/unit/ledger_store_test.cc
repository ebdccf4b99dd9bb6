// The ledger store and the instance lock over the FakeFileSystem: every failure path, with no
// real file.
#include "ledger/ledger_store.h"

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_file_system.h"
#include "ledger/instance_lock.h"
#include "support/sample_ledger.h"

namespace semguard {
namespace {

using semguard_test::FakeFileSystem;
using semguard_test::SampleLedger;
using semguard_test::SampleSet;

const std::string kPath = "/run/x.ledger";

class LedgerStoreTest : public testing::Test {
 protected:
  void SetUp() override { files_.writer_uid = 33; }
  FakeFileSystem files_;
  LedgerStore store_{33, files_};
};

TEST_F(LedgerStoreTest, LoadOfNoFileIsNotFound) {
  LoadedLedger loaded = store_.Load(kPath);
  EXPECT_EQ(loaded.path, kPath);
  EXPECT_EQ(loaded.status.code(), Status::Code::kNotFound);
}

TEST_F(LedgerStoreTest, WriteThenLoadGivesTheSameLedgerAndChecksum) {
  uint32_t written_crc = 0;
  ASSERT_TRUE(store_.Write(kPath, SampleLedger(), &written_crc).ok());
  LoadedLedger loaded = store_.Load(kPath);
  ASSERT_TRUE(loaded.status.ok()) << loaded.status.message();
  EXPECT_EQ(loaded.crc, written_crc);
  EXPECT_EQ(EncodeLedger(loaded.ledger), EncodeLedger(SampleLedger()));
}

TEST_F(LedgerStoreTest, LoadOfAnUndecodableFileIsCorruptNamingThePath) {
  files_.Put(kPath, "garbage\n", 33);
  LoadedLedger loaded = store_.Load(kPath);
  EXPECT_EQ(loaded.status.code(), Status::Code::kCorrupt);
  EXPECT_EQ(loaded.status.message().rfind(kPath + ": ", 0), 0u) << loaded.status.message();
}

TEST_F(LedgerStoreTest, LoadPassesTheFileSystemsRefusalOn) {
  files_.Put(kPath, EncodeLedger(SampleLedger()), 0);  // owned by root, not by 33
  EXPECT_EQ(store_.Load(kPath).status.code(), Status::Code::kInvalid);
}

TEST_F(LedgerStoreTest, FailedWriteLeavesTheOldLedgerAndNoChecksum) {
  files_.Put(kPath, "old", 33);
  files_.Fail("ReplaceFile", kPath, Status::Io("fsync " + kPath + ".tmp: Input/output error"));
  uint32_t crc = 7;
  Status st = store_.Write(kPath, SampleLedger(), &crc);
  EXPECT_EQ(st.code(), Status::Code::kIo);
  EXPECT_EQ(crc, 7u);
  EXPECT_EQ(files_.Text(kPath), "old");
}

TEST_F(LedgerStoreTest, QuarantineRenamesToBad) {
  files_.Put(kPath, "refused", 33);
  ASSERT_TRUE(store_.Quarantine(kPath).ok());
  EXPECT_FALSE(files_.Exists(kPath));
  EXPECT_EQ(files_.Text(kPath + ".bad"), "refused");
}

TEST_F(LedgerStoreTest, QuarantineFailureIsReturned) {
  files_.Put(kPath, "refused", 33);
  files_.Fail("Rename", kPath, Status::Io("rename: Read-only file system"));
  EXPECT_FALSE(store_.Quarantine(kPath).ok());
  EXPECT_TRUE(files_.Exists(kPath));
}

TEST_F(LedgerStoreTest, RemoveMovedRemovesTheLedgerAndItsLock) {
  files_.Put(kPath, "old", 33);
  files_.Put(kPath + ".lock", "", 33);
  store_.RemoveMoved(kPath);
  EXPECT_FALSE(files_.Exists(kPath));
  EXPECT_FALSE(files_.Exists(kPath + ".lock"));
  EXPECT_EQ(files_.trace(), (std::vector<std::string>{"Remove " + kPath,
                                                      "Remove " + kPath + ".lock"}));
}

TEST_F(LedgerStoreTest, RemoveStaleTemporariesListsTheFolderAndRemovesOnlyThisLedgersOwn) {
  files_.Put(kPath, "ledger", 33);
  files_.Put(kPath + ".tmp.00000000000000aa", "torn", 33);
  files_.Put("/run/y.ledger.tmp.00000000000000bb", "other", 33);
  files_.Put("/run/sub/x.ledger.tmp.00000000000000cc", "deeper", 33);
  EXPECT_EQ(store_.RemoveStaleTemporaries(kPath), 1);
  EXPECT_EQ(files_.trace(), (std::vector<std::string>{
                                "ListFolder /run", "Remove " + kPath + ".tmp.00000000000000aa"}));
  EXPECT_TRUE(files_.Exists("/run/y.ledger.tmp.00000000000000bb"));
  EXPECT_TRUE(files_.Exists("/run/sub/x.ledger.tmp.00000000000000cc"));
}

TEST_F(LedgerStoreTest, RemoveStaleTemporariesOfAnUnlistableFolderRemovesNothing) {
  files_.Put(kPath + ".tmp.00000000000000aa", "torn", 33);
  files_.Fail("ListFolder", "/run", Status::Invalid("refusing the ledger folder /run"));
  EXPECT_EQ(store_.RemoveStaleTemporaries(kPath), 0);
  EXPECT_TRUE(files_.Exists(kPath + ".tmp.00000000000000aa"));
}

TEST(KeepLiveSetsTest, DropsGoneSetsAndSetsWhoseSemidNamesAnotherSet) {
  std::vector<RecordedSet> recorded = {SampleSet(1, "a"), SampleSet(2, "b"), SampleSet(3, "c")};
  std::map<int, SemSet> now;
  now[1] = recorded[0].set;
  SemSet other = recorded[2].set;
  other.ctime += 1;  // semid 3 now names a newer set
  now[3] = other;
  KeepLiveSets(now, &recorded);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].set.semid, 1);
}

class InstanceLockFakeTest : public testing::Test {
 protected:
  FakeFileSystem files_;
  HeldLock held_ = kNoLock;
  InstanceLock lock_{&held_, files_};
};

TEST_F(InstanceLockFakeTest, TakesTheLockOfTheLedgerAndKeepsItInTheHeldLock) {
  ASSERT_TRUE(lock_.Take(kPath).ok());
  EXPECT_TRUE(lock_.held());
  EXPECT_STREQ(held_.path, (kPath + ".lock").c_str());
  EXPECT_EQ(lock_.HeldLedger(), kPath);
  ASSERT_TRUE(lock_.Take(kPath).ok());
  EXPECT_EQ(files_.trace(), std::vector<std::string>{"LockFile " + kPath + ".lock"})
      << "a lock held already is not taken again";
}

TEST_F(InstanceLockFakeTest, BusyLockIsBusyAndNothingIsHeld) {
  files_.HoldLockElsewhere(kPath + ".lock");
  Status st = lock_.Take(kPath);
  EXPECT_EQ(st.code(), Status::Code::kBusy);
  EXPECT_FALSE(lock_.held());
  EXPECT_EQ(lock_.HeldLedger(), "");
}

TEST_F(InstanceLockFakeTest, OpenFailureIsPassedOn) {
  files_.Fail("LockFile", kPath + ".lock", Status::FromErrno("open " + kPath + ".lock", EACCES));
  Status st = lock_.Take(kPath);
  EXPECT_EQ(st.code(), Status::Code::kIo);
  EXPECT_EQ(st.message(), "open " + kPath + ".lock: Permission denied");
  EXPECT_FALSE(lock_.held());
}

TEST_F(InstanceLockFakeTest, AnotherLedgerMovesTheLockLettingTheOldOneGoFirst) {
  ASSERT_TRUE(lock_.Take(kPath).ok());
  const int old_fd = held_.fd;
  ASSERT_TRUE(lock_.Take("/run/y.ledger").ok());
  EXPECT_EQ(files_.trace(), (std::vector<std::string>{"LockFile " + kPath + ".lock",
                                                      "CloseFile " + std::to_string(old_fd),
                                                      "LockFile /run/y.ledger.lock"}));
  EXPECT_EQ(lock_.HeldLedger(), "/run/y.ledger");
  EXPECT_EQ(files_.open_locks(), 1);
}

TEST_F(InstanceLockFakeTest, ReleaseLetsGoAndIsHarmlessTwice) {
  ASSERT_TRUE(lock_.Take(kPath).ok());
  lock_.Release();
  lock_.Release();
  EXPECT_FALSE(lock_.held());
  EXPECT_EQ(files_.open_locks(), 0);
}

}  // namespace
}  // namespace semguard
