// Issue 8, cases 3 and 4 in the recorder, over fakes: a server that could not take the lock
// serves unguarded, remembers its own sets, and at the restart that takes the lock writes a
// ledger naming them all; kept sets are carried with their owner and the monitor removes them
// once provably free, without a restart. Each test also tries to fool the rule.
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
constexpr pid_t kOldOwner = 700;  // the run that held the lock before
const std::string kLedger = semguard_test::kRigLedger;
const std::string kLock = kLedger + ".lock";

class RecorderTakeoverTest : public semguard_test::FakeRecorderRig {
 protected:
  void SetUp() override {
    files_.writer_uid = kUid;
    ProcessIdentity self = TestIdentity(kSelf);
    procs_.AddProcess(self, kSelf);
  }

  int AddSet(pid_t last_pid) {
    return sysv_.Add(semguard_test::HttpdMutexSet(kUid, kUid, 0, last_pid));
  }

  RecordedSet Recorded(int semid, const std::string& type) {
    RecordedSet r;
    r.set = *sysv_.Find(semid);
    r.set.probed = false;
    r.type = type;
    r.creator_pid = kOldOwner;
    return r;
  }

  // The ledger the old run left, naming `semids`; its lock is the file at kLock unless told.
  void OldLedger(const std::vector<int>& semids, FileId lock) {
    Ledger l;
    l.owner.process = TestIdentity(kOldOwner, 1000);
    l.owner.process.session = kOldOwner;
    l.owner.lock = lock;
    l.owner.written_at = semguard_test::kSetCreated;
    for (int semid : semids) l.sets.push_back(Recorded(semid, "ssl"));
    files_.Put(kLedger, EncodeLedger(l), kUid);
  }

  Ledger OnDisk() {
    Ledger l;
    Status st = DecodeLedger(files_.Text(kLedger), &l);
    EXPECT_TRUE(st.ok()) << st.message();
    return l;
  }

  static bool Names(const Ledger& l, int semid) {
    for (const RecordedSet& r : l.sets) {
      if (r.set.semid == semid) return true;
    }
    return false;
  }

  size_t Count(std::string_view tag) const { return log_.With(tag).size(); }

  // The unguarded first pass: the old run's orphan still holds the lock.
  void UnguardedStart(int* own) {
    files_.HoldLockElsewhere(kLock);
    Recorder rec = NewRecorder(MainState::kCreatePreConfig, 1);
    Begin(rec);
    rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    *own = AddSet(kSelf);  // APR's SETVAL: this process is its last user
    rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
    EXPECT_FALSE(rec.guarding());
    files_.ReleaseLockElsewhere(kLock);  // the orphan is gone
  }
};

TEST_F(RecorderTakeoverTest, TheRestartThatTakesTheLockNamesItsOwnSetsAndJudgesTheOldRuns) {
  const int old_free = AddSet(5001);  // the old run's, free, last user gone
  const int old_held = AddSet(5001);
  sysv_.Find(old_held)->value = 0;    // held: must stay, carried
  files_.HoldLockElsewhere(kLock);
  OldLedger({old_free, old_held}, files_.IdOf(kLock));
  int own = -1;
  UnguardedStart(&own);
  const std::string untouched = files_.Text(kLedger);
  EXPECT_FALSE(Names(OnDisk(), own)) << "an unguarded pass writes no ledger";

  Recorder restart = NewRecorder(MainState::kCreateConfig, 2);
  Begin(restart);
  restart.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  restart.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_TRUE(restart.guarding());
  EXPECT_NE(files_.Text(kLedger), untouched);
  Ledger now = OnDisk();
  EXPECT_TRUE(Names(now, own)) << files_.Text(kLedger);
  EXPECT_FALSE(sysv_.Exists(old_free)) << "the same lock file proves the old run gone";
  ASSERT_TRUE(Names(now, old_held)) << "kept, so carried";
  for (const RecordedSet& r : now.sets) {
    if (r.set.semid != old_held) continue;
    EXPECT_TRUE(r.inherited);
    EXPECT_EQ(r.owner.process.pid, kOldOwner);
  }
  EXPECT_EQ(Count("SG00034"), 1u);
}

TEST_F(RecorderTakeoverTest, AnOldLedgerThatNamesTheServersOwnSetCannotGetItRemoved) {
  // A ledger edited by hand (or a second instance's) that names this server's own set, now
  // free and last touched by an exited child: the takeover must not judge it as the old run's.
  files_.HoldLockElsewhere(kLock);
  int own = -1;
  UnguardedStart(&own);
  sysv_.Find(own)->last_pid = 5002;  // a child used it and exited
  OldLedger({own}, files_.IdOf(kLock));
  Recorder restart = NewRecorder(MainState::kCreateConfig, 2);
  Begin(restart);
  restart.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  EXPECT_TRUE(sysv_.Exists(own));
  EXPECT_TRUE(Names(OnDisk(), own));
}

TEST_F(RecorderTakeoverTest, KeptSetsGoByTheMonitorOnceTheirUsersAreGoneWithoutARestart) {
  const int ssl = AddSet(5001);
  files_.Put(kLock, "", kUid);
  const FileId replaced{FakeFileSystem::kFakeDev, 1};  // the old run's lock file was deleted
  OldLedger({ssl}, replaced);
  procs_.AddProcess(TestIdentity(kOldOwner + 1), kOldOwner);  // an orphan of the old run
  Recorder rec = NewRecorder(MainState::kCreatePreConfig, 1);
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  EXPECT_TRUE(sysv_.Exists(ssl)) << "the orphan may use it: kept";
  EXPECT_EQ(Count("SG00031"), 1u);
  // As in httpd: the ErrorLog is open (routine lines are no longer held back) before
  // post_config, and the monitor runs only after that.
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});  // maps the child area
  ASSERT_EQ(rec.inherited().size(), 1u);
  EXPECT_TRUE(Names(OnDisk(), ssl));
  rec.Monitor();
  EXPECT_TRUE(sysv_.Exists(ssl)) << "the orphan still runs";
  procs_.Kill(kOldOwner + 1);
  rec.Monitor();
  EXPECT_FALSE(sysv_.Exists(ssl));
  EXPECT_TRUE(rec.inherited().empty());
  EXPECT_FALSE(Names(OnDisk(), ssl)) << "the ledger is rewritten without it";
  EXPECT_EQ(Count("SG00033"), 1u);
}

TEST_F(RecorderTakeoverTest, AKeptSetIsCarriedThroughEveryRestart) {
  const int ssl = AddSet(5001);
  files_.Put(kLock, "", kUid);
  OldLedger({ssl}, FileId{FakeFileSystem::kFakeDev, 1});
  procs_.AddProcess(TestIdentity(kOldOwner + 1), kOldOwner);
  {
    Recorder start = NewRecorder(MainState::kCreatePreConfig, 1);
    Begin(start);
    start.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    start.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  }
  for (long gen = 2; gen < 5; ++gen) {
    Recorder restart = NewRecorder(MainState::kCreateConfig, gen);
    Begin(restart);
    restart.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    restart.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
    ASSERT_EQ(restart.inherited().size(), 1u) << "generation " << gen;
    Ledger l = OnDisk();
    ASSERT_TRUE(Names(l, ssl));
    EXPECT_EQ(l.sets.back().owner.process.pid, kOldOwner) << "with its own owner";
  }
  EXPECT_TRUE(sysv_.Exists(ssl));
}

}  // namespace
}  // namespace semguard
