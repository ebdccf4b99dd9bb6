// The recorder's failure paths over fakes only: files (FakeFileSystem), the semaphore table
// (FakeSysV), processes (FakeProcessTable) and the clock. No file is written, no /proc is read.
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_file_system.h"
#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "ledger/ledger_format.h"
#include "module/recorder.h"
#include "support/fake_recorder_rig.h"
#include "support/log_lines.h"
#include "support/sample_ledger.h"
#include "support/sem_sets.h"

namespace semguard {
namespace {

using semguard_test::FakeClock;
using semguard_test::FakeFileSystem;
using semguard_test::FakeProcessTable;
using semguard_test::FakeSysV;
using semguard_test::TestIdentity;

constexpr uid_t kUid = semguard_test::kRigUid;
constexpr pid_t kSelf = semguard_test::kRigPid;
const std::string kLedger = semguard_test::kRigLedger;
const std::string kLock = kLedger + ".lock";

class RecorderSeamsTest : public semguard_test::FakeRecorderRig {
 protected:
  void SetUp() override {
    files_.writer_uid = kUid;
    procs_.AddProcess(TestIdentity(kSelf));
  }

  // A start's first pass, or (any other state) a restart's.
  Recorder NewRecorder(MainState state = MainState::kCreatePreConfig) {
    return FakeRecorderRig::NewRecorder(state, state == MainState::kCreatePreConfig ? 1 : 2,
                                        "/usr/sbin/apache2");
  }

  // A set as APR leaves it, made and last touched by kSelf.
  int AddHttpdSet() {
    return sysv_.Add(semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf));
  }
};

TEST_F(RecorderSeamsTest, WritesTheLedgerThroughTheSeamWithTheClocksTime) {
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int semid = AddHttpdSet();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  Ledger written;
  ASSERT_TRUE(DecodeLedger(files_.Text(kLedger), &written).ok()) << files_.Text(kLedger);
  EXPECT_EQ(written.owner.written_at, 1764600000);
  EXPECT_EQ(written.owner.process.pid, kSelf);
  ASSERT_EQ(written.sets.size(), 1u);
  EXPECT_EQ(written.sets[0].set.semid, semid);
  EXPECT_TRUE(retained_.ledger_written);
  EXPECT_EQ(retained_.startup.at, 1764600000) << "the startup record takes the clock's time";
}

TEST_F(RecorderSeamsTest, BusyLockIsSG00001AndThePassStaysPassive) {
  files_.HoldLockElsewhere(kLock);
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  AddHttpdSet();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(log_.With("SG00001").size(), 1u);
  EXPECT_NE(log_.With("SG00001")[0].find("is held by another live process of this instance; "
                                         "this process records and removes no semaphore sets "
                                         "(is the same configuration already running?)"),
            std::string::npos)
      << log_.With("SG00001")[0];
  EXPECT_FALSE(rec.holds_lock());
  EXPECT_FALSE(rec.guarding());
  ASSERT_EQ(log_.With("SG00032").size(), 1u) << "serving unguarded is loud";
  EXPECT_EQ(log_.With("SG00032")[0].substr(0, 2), "3 ") << "at error";
  EXPECT_EQ(retained_.unguarded.n, 1) << "its own set is remembered for the takeover";
  EXPECT_FALSE(files_.Exists(kLedger));
}

TEST_F(RecorderSeamsTest, BusyLockNamesTheRunningServerThatWroteTheLedger) {
  Ledger previous = semguard_test::SampleLedger();
  previous.owner.process = TestIdentity(777);
  files_.Put(kLedger, EncodeLedger(previous), kUid);
  procs_.AddProcess(TestIdentity(777));
  files_.HoldLockElsewhere(kLock);
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(log_.With("SG00001").size(), 1u);
  EXPECT_NE(log_.With("SG00001")[0].find(
                ". The server that wrote the ledger, pid 777, is running: is this a second "
                "start of it?"),
            std::string::npos)
      << log_.With("SG00001")[0];
}

TEST_F(RecorderSeamsTest, BusyLockNamesOrphanedChildrenOfAKilledParent) {
  Ledger previous = semguard_test::SampleLedger();
  previous.owner.process = TestIdentity(777);
  files_.Put(kLedger, EncodeLedger(previous), kUid);
  procs_.AddProcess(TestIdentity(801), 777);
  procs_.AddProcess(TestIdentity(802), 777);
  files_.HoldLockElsewhere(kLock);
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(log_.With("SG00001").size(), 1u);
  EXPECT_NE(log_.With("SG00001")[0].find("(pid 777) are still alive: 801 802 (orphaned"),
            std::string::npos)
      << log_.With("SG00001")[0];
}

TEST_F(RecorderSeamsTest, LockThatCannotBeOpenedIsSG00001WithTheReason) {
  files_.Fail("LockFile", kLock, Status::FromErrno("open " + kLock, EACCES));
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(log_.With("SG00001").size(), 1u);
  EXPECT_NE(log_.With("SG00001")[0].find("open " + kLock + ": Permission denied; this process"),
            std::string::npos)
      << log_.With("SG00001")[0];
  EXPECT_EQ(log_.With("already running").size(), 0u) << "only a busy lock gets the hint";
}

TEST_F(RecorderSeamsTest, LedgerThatCannotBeWrittenIsSG00005AndRetainedIsUntouched) {
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  retained_.ledger_written = false;  // as if the owner's first write had failed too
  files_.Fail("ReplaceFile", kLedger, Status::FromErrno("create " + kLedger + ".tmp", ENOSPC));
  AddHttpdSet();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(log_.With("SG00005").size(), 1u);
  EXPECT_NE(log_.With("SG00005")[0].find("3 SG00005: cannot write the ledger at "
                                         "open_logs-after-mpm: create " + kLedger +
                                         ".tmp: No space left on device"),
            std::string::npos)
      << log_.With("SG00005")[0];
  EXPECT_FALSE(retained_.ledger_written);
  EXPECT_EQ(rec.recorded().size(), 1u) << "the set stays recorded for the next write";
  files_.Heal();
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_TRUE(retained_.ledger_written) << "the phase's last checkpoint writes again";
}

// A start on a full disk writes no ledger at all; the restart after the disk has room again
// must still name the sets of the first pass (mod_ssl's outlive restarts) and what the start
// kept of the previous run, or a kill -9 then leaks them for good.
TEST_F(RecorderSeamsTest, ARestartAfterAFullDiskRecordsTheSetsOfThePassesThatCouldNotWrite) {
  Ledger previous = semguard_test::SampleLedger();
  previous.owner.process = TestIdentity(777);  // gone: not in the process table
  semguard::SemSet held = semguard_test::HttpdMutexSet(kUid, kUid, 0, 801);
  held.value = 0;  // in use: the start keeps it
  RecordedSet in_use;
  in_use.set = *sysv_.Find(sysv_.Add(held));
  in_use.type = "ssl";
  in_use.creator_pid = 777;
  previous.sets = {in_use};
  files_.Put(kLedger, EncodeLedger(previous), kUid);
  files_.Fail("ReplaceFile", kLedger, Status::FromErrno("create " + kLedger + ".tmp", ENOSPC));
  int first_pass_set = -1;
  {
    Recorder start = NewRecorder();
    Begin(start);
    start.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    first_pass_set = AddHttpdSet();
    start.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
    start.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
    start.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
    start.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  }
  EXPECT_FALSE(retained_.ledger_written);
  ASSERT_EQ(log_.With("SG00009").size(), 1u);
  EXPECT_NE(log_.With("SG00009")[0].find("kept in memory, NOT in " + kLedger), std::string::npos)
      << log_.With("SG00009")[0];

  files_.Heal();
  Recorder restart = NewRecorder(MainState::kCreateConfig);
  Begin(restart);
  restart.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  restart.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  Ledger written;
  ASSERT_TRUE(DecodeLedger(files_.Text(kLedger), &written).ok()) << files_.Text(kLedger);
  EXPECT_EQ(written.owner.process.pid, kSelf);
  ASSERT_EQ(written.sets.size(), 2u) << files_.Text(kLedger);
  EXPECT_EQ(written.sets[0].set.semid, first_pass_set) << "the first pass's own set";
  EXPECT_FALSE(written.sets[0].inherited);
  EXPECT_EQ(written.sets[1].set.semid, in_use.set.semid) << "what the start kept";
  EXPECT_TRUE(written.sets[1].inherited);
  EXPECT_EQ(written.sets[1].owner.process.pid, 777);
  EXPECT_EQ(retained_.unguarded.n, 0) << "written now: the copy in memory is dropped";
}

TEST_F(RecorderSeamsTest, RefusedLedgerIsSG00003AndKeptAsBad) {
  files_.Put(kLedger, "not a ledger\n", kUid);
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(log_.With("SG00003").size(), 1u);
  EXPECT_NE(log_.With("SG00003")[0].find("; it is kept as " + kLedger +
                                         ".bad and recording starts afresh"),
            std::string::npos);
  EXPECT_TRUE(files_.Exists(kLedger + ".bad"));
  EXPECT_EQ(files_.Text(kLedger + ".bad"), "not a ledger\n");
  EXPECT_EQ(log_.With("SG00010").size(), 0u);
}

TEST_F(RecorderSeamsTest, RefusedLedgerThatCannotBeMovedAsideIsSG00010) {
  files_.Put(kLedger, "not a ledger\n", kUid);
  files_.Fail("Rename", kLedger,
              Status::FromErrno("rename " + kLedger + " to " + kLedger + ".bad", EROFS));
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(log_.With("SG00010").size(), 1u);
  EXPECT_EQ(log_.With("SG00010")[0], "3 SG00010: rename " + kLedger + " to " + kLedger +
                                         ".bad: Read-only file system");
  EXPECT_EQ(log_.With("SG00003").size(), 1u);
}

TEST_F(RecorderSeamsTest, UnreadableOwnIdentityIsSG00011AndNothingIsWritten) {
  procs_.AddUnidentifiable(kSelf, Status::Io("cannot read the pid namespace of pid 4242"));
  Recorder rec = NewRecorder();
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  AddHttpdSet();
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(log_.With("SG00011").size(), 2u) << "open_logs-first and open_logs-after-mpm";
  EXPECT_EQ(log_.With("SG00011")[1], "3 SG00011: cannot read this process's identity: "
                                     "cannot read the pid namespace of pid 4242");
  EXPECT_FALSE(files_.Exists(kLedger));
  EXPECT_FALSE(retained_.ledger_written);
}

TEST_F(RecorderSeamsTest, MovedLedgerRemovesTheOldLedgerAndLockAfterTheFirstWrite) {
  {
    Recorder first = NewRecorder();
    Begin(first);
    first.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    AddHttpdSet();
    first.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  }
  ASSERT_TRUE(files_.Exists(kLedger));
  const std::string moved = "/run/apache2/moved.ledger";
  Recorder second = NewRecorder(MainState::kCreateConfig);
  second.TakeFirstSnapshot();
  Settings settings;
  settings.ledger_path = moved;
  second.Configure(settings);
  EXPECT_EQ(second.recorded().size(), 1u) << "read at the old path, the one the lock is for";
  second.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  second.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_TRUE(files_.Exists(moved));
  EXPECT_FALSE(files_.Exists(kLedger));
  EXPECT_FALSE(files_.Exists(kLock));
  EXPECT_EQ(log_.With("SG00026").size(), 1u);
  EXPECT_STREQ(retained_.lock.path, (moved + ".lock").c_str());
  EXPECT_EQ(files_.open_locks(), 1) << "the old lock was let go before the new one was taken";
}

TEST_F(RecorderSeamsTest, RestartToOffKeepsTheLock) {
  {
    Recorder first = NewRecorder();
    Begin(first);
    first.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  }
  ASSERT_EQ(files_.open_locks(), 1);
  Recorder second = NewRecorder(MainState::kCreateConfig);
  Settings off;
  off.enabled = false;
  off.ledger_path = kLedger;
  second.Configure(off);
  EXPECT_EQ(files_.open_locks(), 1);
  EXPECT_NE(retained_.lock.fd, -1);
}

TEST_F(RecorderSeamsTest, RetainedBlockOfAnotherVersionIsRefusedAndLeftAlone) {
  Retained other{};
  other.magic = kRetainedMagic;
  other.version = kRetainedVersion + 1;
  other.size = sizeof(Retained);
  EXPECT_FALSE(InitRetained(&other));
  EXPECT_EQ(other.version, kRetainedVersion + 1);
  Retained foreign{};
  foreign.magic = 0x12345678;
  EXPECT_FALSE(InitRetained(&foreign));
  Retained fresh{};
  EXPECT_TRUE(InitRetained(&fresh));
  EXPECT_EQ(fresh.lock.fd, -1);
  EXPECT_TRUE(InitRetained(&fresh)) << "a block this version made is kept";
}

}  // namespace
}  // namespace semguard
