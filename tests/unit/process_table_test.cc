// The real ProcessTable over /proc, with real child processes (issue 8, cases 1 and 8): locks
// are known by the open file's identity, other users' processes count only for inherited locks,
// and descriptors are read up to a cap.
#include "os/process_table.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::TempDir;

TEST(ParseStatusUidsTest, ReadsTheRealAndEffectiveUid) {
  uid_t real = 1, effective = 1;
  ASSERT_TRUE(ParseStatusUids("Name:\tapache2\nUmask:\t0022\nUid:\t0\t33\t0\t0\nGid:\t0\n",
                              &real, &effective));
  EXPECT_EQ(real, 0u);
  EXPECT_EQ(effective, 33u);
}

TEST(ParseStatusUidsTest, RefusesAMissingOrBrokenLine) {
  uid_t real = 0, effective = 0;
  EXPECT_FALSE(ParseStatusUids("Name:\tapache2\nGid:\t0\t0\n", &real, &effective));
  EXPECT_FALSE(ParseStatusUids("Name:\tx\nUid:\tabc\n", &real, &effective));
  EXPECT_FALSE(ParseStatusUids("Name:\tx\nUid:\t12", &real, &effective));
}

// A child named apache2 that runs `setup` (in the child) and waits until the test is done.
class Child {
 public:
  explicit Child(const std::function<bool()>& setup) {
    int ready[2], done[2];
    if (pipe(ready) != 0 || pipe(done) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      close(done[1]);
      prctl(PR_SET_NAME, "apache2", 0, 0, 0);
      char ok = setup() ? 'r' : 'f';
      if (write(ready[1], &ok, 1) != 1) _exit(2);
      char c;
      (void)!read(done[0], &c, 1);
      _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    done_ = done[1];
    char ok = 0;
    ready_ = read(ready[0], &ok, 1) == 1 && ok == 'r';
    close(ready[0]);
  }
  ~Child() {
    if (pid_ <= 0) return;
    close(done_);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  int done_ = -1;
  bool ready_ = false;
};

const HttpdProcess* Find(const std::vector<HttpdProcess>& all, pid_t pid) {
  for (const HttpdProcess& p : all) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

FileId IdOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

class ProcessTableTest : public testing::Test {
 protected:
  std::vector<HttpdProcess> Httpd() { return procs_.HttpdProcesses("", getpid(), geteuid()); }
  TempDir dir_;
  ProcProcessTable procs_;
  const std::string lock_ = dir_.File("app.ledger.lock");
};

TEST_F(ProcessTableTest, ALockIsListedWithTheIdentityOfTheOpenFile) {
  Child child([&] { return open(lock_.c_str(), O_RDWR | O_CREAT, 0600) >= 0; });
  ASSERT_TRUE(child.ready());
  const std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, child.pid());
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->starter);
  EXPECT_FALSE(p->other_mount_ns);
  ASSERT_EQ(p->locks.size(), 1u);
  EXPECT_EQ(p->locks[0].path, lock_);
  EXPECT_EQ(p->locks[0].id, IdOf(lock_));
  EXPECT_EQ(p->locks[0].owner, geteuid());
}

TEST_F(ProcessTableTest, ADeletedLockIsListedWithTheDeletedFilesIdentity) {
  Child child([&] { return open(lock_.c_str(), O_RDWR | O_CREAT, 0600) >= 0; });
  ASSERT_TRUE(child.ready());
  const FileId was = IdOf(lock_);
  ASSERT_EQ(unlink(lock_.c_str()), 0);
  ASSERT_TRUE(semguard_test::WriteFileBytes(lock_, ""));  // a new file at the same path
  std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, child.pid());
  ASSERT_NE(p, nullptr);
  // The link reads "<path> (deleted)": still listed, by the path and the old file's identity.
  ASSERT_EQ(p->locks.size(), 1u);
  EXPECT_EQ(p->locks[0].path, lock_);
  EXPECT_EQ(p->locks[0].id, was);
  FileId here;
  ASSERT_TRUE(procs_.FileAt(lock_, &here).ok());
  EXPECT_NE(here, was) << "the file at the path here is another one";
}

TEST_F(ProcessTableTest, AnotherUsersProcessCountsOnlyForALockItInherited) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  Child inherited([&] {
    return open(lock_.c_str(), O_RDWR | O_CREAT, 0600) >= 0 && setgid(33) == 0 && setuid(33) == 0;
  });
  Child own([&] {
    return setgid(33) == 0 && setuid(33) == 0;  // named apache2, holds no lock of root's
  });
  ASSERT_TRUE(inherited.ready());
  ASSERT_TRUE(own.ready());
  std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, inherited.pid());
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->starter);
  ASSERT_EQ(p->locks.size(), 1u);
  EXPECT_EQ(p->locks[0].id, IdOf(lock_));
  EXPECT_EQ(Find(all, own.pid()), nullptr) << "www-data's apache2 without a root lock";
}

TEST_F(ProcessTableTest, ALockFileOfAnotherOwnerIsNotListed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_TRUE(semguard_test::WriteFileBytes(lock_, ""));
  ASSERT_EQ(chown(lock_.c_str(), 33, 33), 0);
  Child child([&] { return open(lock_.c_str(), O_RDWR) >= 0; });
  ASSERT_TRUE(child.ready());
  const std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, child.pid());
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->locks.empty());
}

TEST_F(ProcessTableTest, DescriptorsBeyondTheCapAreNotRead) {
  Child child([&] {
    struct rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
    const rlim_t want = kMaxDescriptorsRead + 64;
    if (lim.rlim_max < want) return false;
    lim.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
    int fd = open("/dev/null", O_RDONLY);
    for (int i = 0; i < kMaxDescriptorsRead; ++i) {
      if (dup(fd) < 0) return false;
    }
    return open(lock_.c_str(), O_RDWR | O_CREAT, 0600) >= 0;  // after all of them
  });
  if (!child.ready()) GTEST_SKIP() << "RLIMIT_NOFILE's hard limit is too low here";
  const std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, child.pid());
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->locks.empty()) << "a lock past the first " << kMaxDescriptorsRead;
}

TEST_F(ProcessTableTest, ThisProcessIsInItsOwnMountNamespace) {
  Child child([] { return true; });
  ASSERT_TRUE(child.ready());
  const std::vector<HttpdProcess> all = Httpd();
  const HttpdProcess* p = Find(all, child.pid());
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->other_mount_ns);
}

}  // namespace
}  // namespace semguard
