#include "ledger/ledger_file.h"
#include "support/sample_ledger.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "base/crc32c.h"
#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FileExists;
using semguard_test::SampleLedger;
using semguard_test::ReadFileBytes;
using semguard_test::TempDir;
using semguard_test::WriteFileBytes;

// Succeeds when reading `path` fails with `code` and a message holding `needle`.
testing::AssertionResult ReadRefused(const std::string& path, Status::Code code,
                                     const std::string& needle) {
  Ledger out;
  Status st = ReadLedgerFile(path, geteuid(), &out);
  if (st.ok()) return testing::AssertionFailure() << "read " << path << " fine";
  if (st.code() != code) {
    return testing::AssertionFailure() << "code " << static_cast<int>(st.code()) << " instead of "
                                       << static_cast<int>(code) << ": " << st.message();
  }
  if (st.message().find(needle) == std::string::npos) {
    return testing::AssertionFailure()
           << "message \"" << st.message() << "\" lacks \"" << needle << "\"";
  }
  return testing::AssertionSuccess();
}

class LedgerFileTest : public testing::Test {
 protected:
  // Writes the sample ledger at `path` and fails the test if that fails.
  void WriteSample(const std::string& path) {
    Status st = WriteLedgerFile(path, SampleLedger());
    ASSERT_TRUE(st.ok()) << st.message();
  }

  TempDir dir_;
  const std::string path_ = dir_.File("test.ledger");
};

TEST_F(LedgerFileTest, WriteThenReadRoundTrip) {
  uint32_t written_crc = 0, read_crc = 1;
  ASSERT_TRUE(WriteLedgerFile(path_, SampleLedger(), &written_crc).ok());
  Ledger read;
  Status st = ReadLedgerFile(path_, geteuid(), &read, &read_crc);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(read.owner.generation, 1);
  EXPECT_EQ(read.owner.config_file, "/etc/apache2/apache2.conf");
  ASSERT_EQ(read.sets.size(), 2u);
  EXPECT_EQ(read.sets[0].set.semid, 32769);
  EXPECT_EQ(read.sets[0].type, "mpm-accept");
  EXPECT_EQ(read.sets[1].set.semid, 65538);
  EXPECT_EQ(read.sets[1].type, "ssl");
  EXPECT_EQ(written_crc, read_crc);
  EXPECT_EQ(written_crc, Crc32c(ReadFileBytes(path_)));
  EXPECT_EQ(ReadFileBytes(path_), EncodeLedger(SampleLedger()));
}

TEST_F(LedgerFileTest, WrittenFileHasMode0600EvenUnderAPermissiveUmask) {
  mode_t old_umask = umask(0);
  Status st = WriteLedgerFile(path_, SampleLedger());
  umask(old_umask);
  ASSERT_TRUE(st.ok()) << st.message();
  struct stat info {};
  ASSERT_EQ(lstat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISREG(info.st_mode));
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST_F(LedgerFileTest, NoTemporaryFileRemains) {
  WriteSample(path_);
  WriteSample(path_);  // replacing an existing ledger too
  EXPECT_TRUE(FileExists(path_));
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().string(), path_) << "a temporary file remains";
  }
}

TEST_F(LedgerFileTest, RewriteReplacesTheContent) {
  WriteSample(path_);
  Ledger second = SampleLedger();
  second.sets.clear();
  second.owner.generation = 4;
  ASSERT_TRUE(WriteLedgerFile(path_, second).ok());
  EXPECT_EQ(ReadFileBytes(path_), EncodeLedger(second));
}

TEST_F(LedgerFileTest, MissingFileIsNotFound) {
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kNotFound, "does not exist"));
}

TEST_F(LedgerFileTest, RefusesSymlinkToValidLedger) {
  const std::string target = dir_.File("real.ledger");
  WriteSample(target);
  ASSERT_EQ(symlink(target.c_str(), path_.c_str()), 0);
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "symbolic link"));
}

TEST_F(LedgerFileTest, RefusesDirectory) {
  ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "regular file"));
}

// A FIFO with no writer blocks a plain open() forever, so the read runs in a child that an
// alarm ends; the child reports through its exit code.
TEST_F(LedgerFileTest, RefusesFifoWithoutHanging) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0600), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(5);
    Ledger out;
    Status st = ReadLedgerFile(path_, geteuid(), &out);
    bool refused = st.code() == Status::Code::kInvalid &&
                   st.message().find("regular file") != std::string::npos;
    _exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
      << "ReadLedgerFile hung on a FIFO";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the FIFO was not refused as 'not a regular file'";
}

TEST_F(LedgerFileTest, RefusesFileOwnedByAnotherUid) {
  WriteSample(path_);
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0) << "needs root";
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "owned by uid 65534"));
}

TEST_F(LedgerFileTest, RefusesGroupWritableFile) {
  WriteSample(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0620), 0);
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "group-writable"));
}

TEST_F(LedgerFileTest, RefusesWorldWritableFile) {
  WriteSample(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0602), 0);
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "world-writable"));
}

TEST_F(LedgerFileTest, AcceptsGroupAndWorldReadableFile) {
  WriteSample(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  Ledger out;
  EXPECT_TRUE(ReadLedgerFile(path_, geteuid(), &out).ok());
}

TEST_F(LedgerFileTest, RefusesOversizedFile) {
  ASSERT_TRUE(WriteFileBytes(path_, std::string(kLedgerMaxBytes + 1, 'x')));
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kInvalid, "oversized"));
}

TEST_F(LedgerFileTest, FileOfExactlyTheMaximumSizeIsDecodedNotRefusedForSize) {
  ASSERT_TRUE(WriteFileBytes(path_, std::string(kLedgerMaxBytes, 'x')));
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kCorrupt, "newline"));
}

TEST_F(LedgerFileTest, CorruptContentIsCorruptAndNamesThePath) {
  ASSERT_TRUE(WriteFileBytes(path_, "semguard-ledger 1\n"));
  EXPECT_TRUE(ReadRefused(path_, Status::Code::kCorrupt, path_ + ": truncated"));
}

TEST_F(LedgerFileTest, WriteDoesNotFollowSymlinkAtTemporaryPath) {
  const std::string victim = dir_.File("victim");
  ASSERT_TRUE(WriteFileBytes(victim, "precious\n", 0644));
  ASSERT_EQ(symlink(victim.c_str(), (path_ + ".tmp").c_str()), 0);
  Status st = WriteLedgerFile(path_, SampleLedger());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ReadFileBytes(victim), "precious\n");
  EXPECT_EQ(ReadFileBytes(path_), EncodeLedger(SampleLedger()));
  EXPECT_EQ(ReadFileBytes(path_ + ".tmp"), "precious\n") << "the planted link is not used";
}

TEST_F(LedgerFileTest, WriteReplacesSymlinkAtPathAndLeavesItsTargetAlone) {
  const std::string target = dir_.File("target");
  ASSERT_TRUE(WriteFileBytes(target, "untouched\n", 0644));
  ASSERT_EQ(symlink(target.c_str(), path_.c_str()), 0);
  ASSERT_TRUE(WriteLedgerFile(path_, SampleLedger()).ok());
  struct stat info {};
  ASSERT_EQ(lstat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISREG(info.st_mode)) << "the path is still a symbolic link";
  EXPECT_EQ(ReadFileBytes(target), "untouched\n");
  EXPECT_EQ(ReadFileBytes(path_), EncodeLedger(SampleLedger()));
}

TEST_F(LedgerFileTest, WriteIntoMissingDirectoryFails) {
  Status st = WriteLedgerFile(dir_.File("no-such-dir/test.ledger"), SampleLedger());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no-such-dir"), std::string::npos) << st.message();
}

TEST(DefaultLedgerNameTest, HasTheDocumentedShape) {
  const std::string name = DefaultLedgerName("/etc/apache2", "/etc/apache2/apache2.conf");
  EXPECT_TRUE(std::regex_match(name, std::regex("^semguard-[0-9a-f]{16}\\.ledger$"))) << name;
}

TEST(DefaultLedgerNameTest, IsStable) {
  EXPECT_EQ(DefaultLedgerName("/etc/apache2", "/etc/apache2/apache2.conf"),
            DefaultLedgerName("/etc/apache2", "/etc/apache2/apache2.conf"));
}

// ledger_file.cc says the name is FNV-1a 64 of "root\0file". Pinned to that algorithm's values
// (offset basis 14695981039346656037, prime 1099511628211): a later change of the hash would
// orphan every ledger written before it.
TEST(DefaultLedgerNameTest, IsFnv1a64OfRootNulFile) {
  EXPECT_EQ(DefaultLedgerName("", ""), "semguard-af63bd4c8601b7df.ledger");
  EXPECT_EQ(DefaultLedgerName("/etc/apache2", "/etc/apache2/apache2.conf"),
            "semguard-7b5269209b0e7d80.ledger");
}

TEST(DefaultLedgerNameTest, DiffersForDifferentRootsOrConfigFiles) {
  const std::string base = DefaultLedgerName("/etc/apache2", "apache2.conf");
  EXPECT_NE(base, DefaultLedgerName("/etc/apache3", "apache2.conf"));
  EXPECT_NE(base, DefaultLedgerName("/etc/apache2", "other.conf"));
  // The separator keeps root and file apart: "/a" + "b/c" is not "/a/b" + "c".
  EXPECT_NE(DefaultLedgerName("/a", "b/c"), DefaultLedgerName("/a/b", "c"));
  EXPECT_NE(DefaultLedgerName("/ab", "c"), DefaultLedgerName("/a", "bc"));
}

}  // namespace
}  // namespace semguard
