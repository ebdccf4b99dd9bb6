// The ledger folder rule (issue 8, case 6): JudgeFolder over made-up facts, and the real file
// system over real folders (as root, which `make test` is: a folder of another owner needs chown).
#include "os/file_system.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/file_names.h"
#include "ledger/ledger_file.h"
#include "ledger/ledger_store.h"
#include "support/has_text.h"
#include "support/sample_ledger.h"
#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FileExists;
using semguard_test::HasText;
using semguard_test::SampleLedger;
using semguard_test::TempDir;
using semguard_test::WriteFileBytes;

constexpr uid_t kWwwData = 33;

Status Judge(uid_t owner, unsigned mode, bool holds_the_file, uid_t starter = 0) {
  return JudgeFolder("/srv/run", FolderFacts{true, owner, mode}, starter, holds_the_file);
}

TEST(JudgeFolderTest, RootOwnedFoldersNobodyElseWritesAreAccepted) {
  EXPECT_TRUE(Judge(0, 0755, true).ok());
  EXPECT_TRUE(Judge(0, 0700, true).ok());
  EXPECT_TRUE(Judge(0, 0755, false).ok());
}

TEST(JudgeFolderTest, TheStartingUsersOwnFolderIsAccepted) {
  EXPECT_TRUE(Judge(1000, 0755, true, 1000).ok());
  EXPECT_TRUE(Judge(0, 0755, true, 1000).ok()) << "root's folders too";
}

TEST(JudgeFolderTest, AFolderOfTheServersUserIsRefusedAndSaysWhoCanWriteIt) {
  Status st = Judge(kWwwData, 0755, true);
  EXPECT_EQ(st.code(), Status::Code::kInvalid);
  EXPECT_TRUE(HasText(st.message(), "refusing the ledger folder /srv/run"));
  EXPECT_TRUE(HasText(st.message(), "owned by uid 33, who can write to it"));
  EXPECT_FALSE(Judge(kWwwData, 0755, false).ok()) << "a parent of another owner can rename";
  EXPECT_FALSE(Judge(1000, 0755, true, 0).ok());
}

TEST(JudgeFolderTest, GroupOrWorldWritableFoldersAreRefused) {
  for (bool holds : {true, false}) {
    EXPECT_TRUE(HasText(Judge(0, 0775, holds).message(), "writable by its group (mode 0775)"));
    EXPECT_TRUE(HasText(Judge(0, 0757, holds).message(), "writable by every user"));
    EXPECT_TRUE(HasText(Judge(0, 0777, holds).message(), "writable by every user (mode 0777)"));
  }
}

TEST(JudgeFolderTest, AStickyWorldWritableFolderIsAParentOnlyNeverTheLedgersOwnFolder) {
  EXPECT_TRUE(Judge(0, 01777, false).ok()) << "/tmp above a root-owned folder";
  Status st = Judge(0, 01777, true);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(HasText(st.message(), "(mode 1777, sticky)"));
}

TEST(JudgeFolderTest, SomethingThatIsNoFolderIsRefused) {
  EXPECT_FALSE(JudgeFolder("/srv/run", FolderFacts{false, 0, 0755}, 0, true).ok());
}

// ---- the real file system, over real folders ----

class FolderRuleTest : public testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make folders of another owner";
  }
  // A folder under the test's own, with `owner` and `mode`.
  std::string Folder(const std::string& name, uid_t owner, mode_t mode) {
    const std::string path = dir_.File(name);
    EXPECT_EQ(mkdir(path.c_str(), 0700), 0) << path;
    EXPECT_EQ(chown(path.c_str(), owner, owner), 0);
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }
  static int Entries(const std::string& folder) {
    int n = 0;
    for (auto it = std::filesystem::directory_iterator(folder);
         it != std::filesystem::directory_iterator(); ++it) {
      ++n;
    }
    return n;
  }
  TempDir dir_;
  int fd_ = -1;
  ~FolderRuleTest() override {
    if (fd_ >= 0) close(fd_);
  }
};

TEST_F(FolderRuleTest, AFolderOfTheServersUserIsRefusedForEveryOperation) {
  const std::string folder = Folder("www", kWwwData, 0755);
  const std::string ledger = folder + "/app.ledger";
  Status lock = RealFileSystem().LockFile(ledger + ".lock", &fd_);
  EXPECT_EQ(lock.code(), Status::Code::kInvalid);
  EXPECT_TRUE(HasText(lock.message(), folder));
  EXPECT_TRUE(HasText(lock.message(), "who can write to it"));
  EXPECT_EQ(fd_, -1);
  EXPECT_FALSE(WriteLedgerFile(ledger, SampleLedger()).ok());
  EXPECT_EQ(Entries(folder), 0) << "nothing was written into the refused folder";
  // A ledger the server's User put there is not read either.
  ASSERT_TRUE(WriteFileBytes(ledger, EncodeLedger(SampleLedger())));
  Ledger read;
  EXPECT_TRUE(HasText(ReadLedgerFile(ledger, 0, &read).message(), "refusing the ledger folder"));
  EXPECT_FALSE(RealFileSystem().Rename(ledger, ledger + ".bad").ok());
  EXPECT_FALSE(RealFileSystem().Remove(ledger).ok());
  EXPECT_TRUE(FileExists(ledger));
}

TEST_F(FolderRuleTest, AParentOfTheServersUserIsRefused) {
  const std::string parent = Folder("www", kWwwData, 0755);
  ASSERT_EQ(mkdir((parent + "/run").c_str(), 0755), 0);
  Status st = RealFileSystem().LockFile(parent + "/run/app.ledger.lock", &fd_);
  EXPECT_TRUE(HasText(st.message(), "refusing the ledger's parent folder " + parent));
  EXPECT_FALSE(FileExists(parent + "/run/app.ledger.lock"));
}

TEST_F(FolderRuleTest, AGroupWritableFolderIsRefused) {
  const std::string folder = Folder("group", 0, 0775);
  EXPECT_TRUE(HasText(WriteLedgerFile(folder + "/app.ledger", SampleLedger()).message(),
                      "writable by its group"));
}

TEST_F(FolderRuleTest, AStickyTmpLikeFolderHoldsNoLedgerButMayBeAbove) {
  const std::string tmp = Folder("tmp", 0, 01777);
  EXPECT_FALSE(WriteLedgerFile(tmp + "/app.ledger", SampleLedger()).ok());
  ASSERT_EQ(mkdir((tmp + "/run").c_str(), 0755), 0);
  Status st = WriteLedgerFile(tmp + "/run/app.ledger", SampleLedger());
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_F(FolderRuleTest, ASymlinkedFolderIsCheckedWhereItLeads) {
  const std::string safe = Folder("safe", 0, 0755);
  const std::string www = Folder("www", kWwwData, 0755);
  ASSERT_EQ(symlink(safe.c_str(), dir_.File("to-safe").c_str()), 0);
  ASSERT_EQ(symlink(www.c_str(), dir_.File("to-www").c_str()), 0);
  ASSERT_EQ(symlink("../www", dir_.File("safe/up-to-www").c_str()), 0);
  Status ok = WriteLedgerFile(dir_.File("to-safe/app.ledger"), SampleLedger());
  EXPECT_TRUE(ok.ok()) << ok.message();
  EXPECT_TRUE(HasText(WriteLedgerFile(dir_.File("to-www/app.ledger"), SampleLedger()).message(),
                      "refusing the ledger folder " + www));
  EXPECT_FALSE(WriteLedgerFile(dir_.File("safe/up-to-www/app.ledger"), SampleLedger()).ok());
  EXPECT_EQ(Entries(www), 0);
}

TEST_F(FolderRuleTest, ALinkInAFolderTheUserCanWriteIsRefusedEvenWhenItLeadsSomewhereSafe) {
  const std::string safe = Folder("safe", 0, 0755);
  const std::string www = Folder("www", kWwwData, 0755);
  ASSERT_EQ(symlink(safe.c_str(), (www + "/link").c_str()), 0);
  EXPECT_FALSE(WriteLedgerFile(www + "/link/app.ledger", SampleLedger()).ok())
      << "www-data could repoint the link between the check and the write";
}

TEST_F(FolderRuleTest, ALoopOfLinksIsRefusedNotFollowedForever) {
  ASSERT_EQ(symlink(dir_.File("b").c_str(), dir_.File("a").c_str()), 0);
  ASSERT_EQ(symlink(dir_.File("a").c_str(), dir_.File("b").c_str()), 0);
  EXPECT_TRUE(HasText(WriteLedgerFile(dir_.File("a/app.ledger"), SampleLedger()).message(),
                      "too many symbolic links"));
}

// Read-only checks of this host's Debian folders (nothing is created there).
TEST(DebianFoldersTest, TheRuntimeDirIsAcceptedAndTheWwwDataLockDirRefused) {
  struct stat run {}, lock {};
  if (stat("/var/run/apache2", &run) != 0 || stat("/var/lock/apache2", &lock) != 0 ||
      run.st_uid != 0 || lock.st_uid == 0 || geteuid() != 0) {
    GTEST_SKIP() << "no Debian apache2 folders here";
  }
  std::string text;
  Status ok = RealFileSystem().ReadOwnedFile("/var/run/apache2/semguard-none.ledger", 0, 1024,
                                             &text);
  EXPECT_EQ(ok.code(), Status::Code::kNotFound) << ok.message();
  Status refused = RealFileSystem().ReadOwnedFile("/var/lock/apache2/semguard-none.ledger", 0,
                                                  1024, &text);
  EXPECT_TRUE(HasText(refused.message(), "refusing the ledger folder /run/lock/apache2"))
      << refused.message();
}

// ---- writes that nothing planted can stop ----

TEST_F(FolderRuleTest, PlantedTemporaryNamesDoNotStopAWrite) {
  const std::string ledger = dir_.File("app.ledger");
  ASSERT_EQ(mkdir((ledger + ".tmp").c_str(), 0700), 0);
  ASSERT_TRUE(WriteFileBytes(ledger + ".tmp/planted", "x"));
  ASSERT_EQ(mkfifo((ledger + ".tmp.0000000000000000").c_str(), 0600), 0);
  for (int i = 0; i < 3; ++i) {
    Status st = WriteLedgerFile(ledger, SampleLedger());
    ASSERT_TRUE(st.ok()) << st.message();
  }
  EXPECT_EQ(semguard_test::ReadFileBytes(ledger), EncodeLedger(SampleLedger()));
  EXPECT_TRUE(FileExists(ledger + ".tmp/planted")) << "what was planted is left alone";
  EXPECT_EQ(Entries(dir_.path()), 3) << "the ledger and the two planted names, no temporary";
}

// A writer killed between create and rename leaves "<ledger>.tmp.<16 hex>"; the next holder of
// the lock removes exactly those, and nothing of another ledger or of another shape.
TEST_F(FolderRuleTest, StaleTemporariesOfThisLedgerAreRemovedAndNothingElse) {
  const std::string ledger = dir_.File("app.ledger");
  ASSERT_TRUE(WriteLedgerFile(ledger, SampleLedger()).ok());
  const std::string stale = ledger + ".tmp.0123456789abcdef";
  ASSERT_TRUE(WriteFileBytes(stale, "torn"));
  const std::vector<std::string> kept = {
      dir_.File("other.ledger.tmp.0123456789abcdef"),  // another instance's
      ledger + ".tmp.0123456789ABCDEF",                 // not a name a write makes
      ledger + ".tmp.0123",
      ledger + ".bad",
  };
  for (const std::string& k : kept) ASSERT_TRUE(WriteFileBytes(k, "x")) << k;
  ASSERT_EQ(mkdir((ledger + ".tmp.fedcba9876543210").c_str(), 0700), 0);

  EXPECT_EQ(LedgerStore(geteuid()).RemoveStaleTemporaries(ledger), 1);
  EXPECT_FALSE(FileExists(stale));
  for (const std::string& k : kept) EXPECT_TRUE(FileExists(k)) << k;
  EXPECT_TRUE(FileExists(ledger + ".tmp.fedcba9876543210")) << "a folder is not unlinked";
  EXPECT_TRUE(FileExists(ledger));
}

TEST(TemporaryNameTest, OnlyTheLedgersOwnNameWithSixteenLowercaseHexDigits) {
  EXPECT_TRUE(IsTemporaryOf("a.ledger.tmp.0123456789abcdef", "a.ledger"));
  EXPECT_FALSE(IsTemporaryOf("a.ledger.tmp.0123456789abcdef", "b.ledger"));
  EXPECT_FALSE(IsTemporaryOf("xa.ledger.tmp.0123456789abcdef", "a.ledger"));
  EXPECT_FALSE(IsTemporaryOf("a.ledger.tmp.0123456789abcdeg", "a.ledger"));
  EXPECT_FALSE(IsTemporaryOf("a.ledger.tmp.0123456789abcdef0", "a.ledger"));
  EXPECT_FALSE(IsTemporaryOf("a.ledger.tmp.", "a.ledger"));
  EXPECT_FALSE(IsTemporaryOf("a.ledger.lock", "a.ledger"));
}

// ---- the spare copy in the lock file (issue 8, case 6: a renamed ledger) ----

class SpareCopyTest : public testing::Test {
 protected:
  TempDir dir_;
  const std::string ledger_ = dir_.File("app.ledger");
  const std::string lock_ = ledger_ + ".lock";
};

TEST_F(SpareCopyTest, WithoutALockFileNoCopyIsMade) {
  ASSERT_TRUE(WriteLedgerFile(ledger_, SampleLedger()).ok());
  EXPECT_FALSE(FileExists(lock_)) << "the copy never creates the lock file";
}

TEST_F(SpareCopyTest, ARenamedLedgerIsReadFromTheCopyInItsLock) {
  ASSERT_TRUE(WriteFileBytes(lock_, ""));
  uint32_t written = 0, read_crc = 1;
  ASSERT_TRUE(WriteLedgerFile(ledger_, SampleLedger(), &written).ok());
  EXPECT_EQ(semguard_test::ReadFileBytes(lock_), EncodeLedger(SampleLedger()));
  ASSERT_EQ(rename(ledger_.c_str(), (ledger_ + ".moved").c_str()), 0);
  Ledger read;
  Status st = ReadLedgerFile(ledger_, geteuid(), &read, &read_crc);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(read_crc, written) << "the same bytes as the ledger written";
  EXPECT_EQ(EncodeLedger(read), EncodeLedger(SampleLedger()));
}

TEST_F(SpareCopyTest, ALedgerAtThePathWinsOverTheCopy) {
  ASSERT_TRUE(WriteFileBytes(lock_, ""));
  ASSERT_TRUE(WriteLedgerFile(ledger_, SampleLedger()).ok());
  ASSERT_TRUE(WriteFileBytes(ledger_, "garbage"));
  Ledger read;
  EXPECT_EQ(ReadLedgerFile(ledger_, geteuid(), &read).code(), Status::Code::kCorrupt)
      << "a refused ledger is refused, not replaced by the copy";
}

TEST_F(SpareCopyTest, AnEmptyOrBrokenCopyLeavesTheLedgerMissing) {
  Ledger read;
  ASSERT_TRUE(WriteFileBytes(lock_, ""));
  EXPECT_EQ(ReadLedgerFile(ledger_, geteuid(), &read).code(), Status::Code::kNotFound);
  ASSERT_TRUE(WriteFileBytes(lock_, "semguard-ledger 1\ntorn"));
  EXPECT_EQ(ReadLedgerFile(ledger_, geteuid(), &read).code(), Status::Code::kNotFound);
}

TEST_F(SpareCopyTest, TheCopyIsNeverWrittenThroughALinkAtTheLockPath) {
  const std::string target = dir_.File("target");
  ASSERT_TRUE(WriteFileBytes(target, "keep\n"));
  ASSERT_EQ(symlink(target.c_str(), lock_.c_str()), 0);
  ASSERT_TRUE(WriteLedgerFile(ledger_, SampleLedger()).ok());
  EXPECT_EQ(semguard_test::ReadFileBytes(target), "keep\n");
}

TEST_F(SpareCopyTest, ACopyOfAnotherOwnerIsNotRead) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_TRUE(WriteFileBytes(lock_, EncodeLedger(SampleLedger())));
  ASSERT_EQ(chown(lock_.c_str(), kWwwData, kWwwData), 0);
  Ledger read;
  EXPECT_FALSE(ReadLedgerFile(ledger_, 0, &read).ok());
}

}  // namespace
}  // namespace semguard
