// The parts a command-line tool needs, used as a plain program would use them: no Recorder, no
// httpd values, no Retained. Real files in a temporary folder; the semaphore table and the
// processes are fakes so that nothing on the host is touched.
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cleanup/cleanup.h"
#include "cleanup/cleanup_input.h"
#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "ledger/instance_lock.h"
#include "ledger/ledger_store.h"
#include "support/sem_sets.h"
#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FakeProcessTable;
using semguard_test::FakeSysV;
using semguard_test::HttpdMutexSet;
using semguard_test::TempDir;
using semguard_test::TestIdentity;

TEST(PlainCallerTest, LockLoadAndCleanUpAStoppedServersLeftovers) {
  TempDir dir;
  const std::string ledger_path = dir.File("site.ledger");
  FakeSysV sysv;
  FakeProcessTable procs;
  procs.AddProcess(getpid());

  // A killed server's ledger: one set, its owner (pid 812) gone.
  const int leftover = sysv.Add(HttpdMutexSet(0, 33, 33, 5001));
  Ledger killed;
  killed.owner.process = TestIdentity(812);
  RecordedSet rec;
  rec.set = *sysv.Find(leftover);
  rec.type = "mpm-accept";
  rec.creator_pid = 812;
  killed.sets.push_back(rec);

  // The tool: take the instance lock, read the ledger, clean up as the caller it is.
  HeldLock held = kNoLock;
  InstanceLock lock(&held);
  ASSERT_TRUE(lock.Take(ledger_path).ok());
  // The killed server held this very lock file: its ledger says so (st_dev, st_ino).
  killed.owner.lock = lock.Identity();
  ASSERT_TRUE(killed.owner.lock.known());
  LedgerStore store(geteuid());
  uint32_t crc = 0;
  ASSERT_TRUE(store.Write(ledger_path, killed, &crc).ok());
  LoadedLedger previous = store.Load(ledger_path);
  ASSERT_TRUE(previous.status.ok()) << previous.status.message();
  EXPECT_EQ(previous.crc, crc);
  Settings settings;
  settings.ledger_path = ledger_path;
  CleanupCaller caller;
  caller.pid = getpid();
  caller.starter = 0;
  caller.lock = lock.Identity();  // the lock proof holds only for the file the ledger names
  caller.pid_ns = semguard_test::kTestPidNs;
  std::vector<std::string> tags;
  Cleanup cleanup(&sysv, &procs,
                  [&tags](Level, const char* tag, const std::string&) { tags.push_back(tag); });
  CleanupReport report = cleanup.Run(MakeCleanupInput(settings, &previous.ledger, caller));

  EXPECT_EQ(report.removed, 1);
  EXPECT_EQ(sysv.removed(), std::vector<int>{leftover});
  EXPECT_NE(std::find(tags.begin(), tags.end(), "SG00015"), tags.end());
  EXPECT_TRUE(semguard_test::InstanceLockHeld(ledger_path + ".lock"));
  lock.Release();
  EXPECT_FALSE(semguard_test::InstanceLockHeld(ledger_path + ".lock"));
}

}  // namespace
}  // namespace semguard
