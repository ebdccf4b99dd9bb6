#include "ledger/instance_lock.h"


#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FileExists;
using semguard_test::InstanceLockHeld;
using semguard_test::ReadFileBytes;
using semguard_test::TempDir;
using semguard_test::WriteFileBytes;

class InstanceLockTest : public testing::Test {
 protected:
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }

  TempDir dir_;
  const std::string lock_path_ = dir_.File("test.ledger.lock");
  int fd_ = -1;
};

TEST_F(InstanceLockTest, AcquireCreatesAPrivateCloseOnExecLockFile) {
  Status st = RealFileSystem().LockFile(lock_path_, &fd_);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_GE(fd_, 0);
  struct stat info {};
  ASSERT_EQ(lstat(lock_path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISREG(info.st_mode));
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_TRUE(fcntl(fd_, F_GETFD) & FD_CLOEXEC);
}

TEST_F(InstanceLockTest, SecondOpenFileDescriptionIsBusy) {
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  int second = -1;
  Status st = RealFileSystem().LockFile(lock_path_, &second);
  EXPECT_EQ(st.code(), Status::Code::kBusy) << st.message();
  EXPECT_EQ(second, -1);
  EXPECT_NE(st.message().find(lock_path_), std::string::npos) << st.message();
}

TEST_F(InstanceLockTest, ForkedChildCannotAcquireWhileTheParentHolds) {
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int fd = -1;
    Status st = RealFileSystem().LockFile(lock_path_, &fd);
    _exit(st.code() == Status::Code::kBusy ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's acquire was not kBusy";
}

TEST_F(InstanceLockTest, HeldWhileOpenAndFreeAfterClose) {
  EXPECT_FALSE(InstanceLockHeld(lock_path_));  // no file yet
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  EXPECT_TRUE(InstanceLockHeld(lock_path_));
  ASSERT_EQ(close(fd_), 0);
  fd_ = -1;
  EXPECT_FALSE(InstanceLockHeld(lock_path_));
  EXPECT_TRUE(FileExists(lock_path_));
}

TEST_F(InstanceLockTest, AcquireAgainAfterRelease) {
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  ASSERT_EQ(close(fd_), 0);
  fd_ = -1;
  Status st = RealFileSystem().LockFile(lock_path_, &fd_);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_F(InstanceLockTest, LockInheritedByAForkedChildOutlivesTheParentsCopy) {
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(go[1]);
    char c;
    (void)!read(go[0], &c, 1);  // holds the inherited descriptor until told to exit
    _exit(0);
  }
  close(go[0]);
  ASSERT_EQ(close(fd_), 0);
  fd_ = -1;
  EXPECT_TRUE(InstanceLockHeld(lock_path_)) << "the child's inherited descriptor no longer locks";
  close(go[1]);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(InstanceLockHeld(lock_path_));
}

TEST_F(InstanceLockTest, TheInheritedDescriptorCannotWriteTheLockFile) {
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  EXPECT_EQ(fcntl(fd_, F_GETFL) & O_ACCMODE, O_RDONLY)
      << "a child could write the ledger's spare copy through it";
  EXPECT_LT(write(fd_, "x", 1), 0);
}

// Issue 8, case 6: a name planted at the lock path must not leave the server without a lock.
testing::AssertionResult LockedARegularFile(const std::string& path, int fd) {
  struct stat at {}, held {};
  if (fd < 0) return testing::AssertionFailure() << "no lock taken";
  if (lstat(path.c_str(), &at) != 0 || !S_ISREG(at.st_mode)) {
    return testing::AssertionFailure() << path << " is no regular file";
  }
  if (fstat(fd, &held) != 0 || held.st_ino != at.st_ino) {
    return testing::AssertionFailure() << "the lock is not on the file at " << path;
  }
  return testing::AssertionSuccess();
}

TEST_F(InstanceLockTest, ASymlinkAtTheLockPathIsReplacedAndItsTargetLeftAlone) {
  const std::string target = dir_.File("target");
  ASSERT_TRUE(WriteFileBytes(target, "keep\n"));
  ASSERT_EQ(symlink(target.c_str(), lock_path_.c_str()), 0);
  Status st = RealFileSystem().LockFile(lock_path_, &fd_);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(LockedARegularFile(lock_path_, fd_));
  EXPECT_EQ(ReadFileBytes(target), "keep\n");
  EXPECT_FALSE(InstanceLockHeld(target));
}

TEST_F(InstanceLockTest, ADanglingSymlinkAtTheLockPathNeverCreatesItsTarget) {
  const std::string target = dir_.File("would-be-created");
  ASSERT_EQ(symlink(target.c_str(), lock_path_.c_str()), 0);
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  EXPECT_TRUE(LockedARegularFile(lock_path_, fd_));
  EXPECT_FALSE(FileExists(target));
}

TEST_F(InstanceLockTest, AFolderAtTheLockPathIsMovedAsideWithItsContent) {
  ASSERT_EQ(mkdir(lock_path_.c_str(), 0700), 0);
  ASSERT_TRUE(WriteFileBytes(lock_path_ + "/planted", "x"));
  Status st = RealFileSystem().LockFile(lock_path_, &fd_);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(LockedARegularFile(lock_path_, fd_));
  int aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    const std::string name = e.path().filename();
    if (name.rfind("test.ledger.lock.planted.", 0) == 0 && FileExists(e.path().string() + "/planted")) {
      ++aside;
    }
  }
  EXPECT_EQ(aside, 1) << "the planted folder is kept aside for the operator";
}

TEST_F(InstanceLockTest, AFifoAtTheLockPathIsReplacedWithoutHanging) {
  ASSERT_EQ(mkfifo(lock_path_.c_str(), 0600), 0);
  ASSERT_TRUE(RealFileSystem().LockFile(lock_path_, &fd_).ok());
  EXPECT_TRUE(LockedARegularFile(lock_path_, fd_));
}

}  // namespace
}  // namespace semguard
