// The recorder over an in-memory semaphore table (FakeSysV) and a real ledger file in a
// temporary directory.
#include "module/recorder.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "support/log_lines.h"

#include "support/sem_sets.h"

#include "os/child_exits.h"
#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "ledger/instance_lock.h"
#include "ledger/ledger_file.h"
#include "os/proc_identity.h"
#include "support/test_files.h"

namespace semguard {
namespace {

using semguard_test::FakeProcessTable;
using semguard_test::FakeSysV;
using semguard_test::FileExists;
using semguard_test::InstanceLockHeld;
using semguard_test::ReadFileBytes;
using semguard_test::TempDir;
using semguard_test::WriteFileBytes;

constexpr int kError = static_cast<int>(Level::kError);
constexpr int kAlert = static_cast<int>(Level::kAlert);

// The processes the recorder asks about (for its startup cleanup and its hints): only this test
// process exists, with its real identity, and no httpd runs, so nothing depends on what else
// runs on the host.
class RecorderTest : public testing::Test {
 protected:
  void SetUp() override {
    ProcessIdentity self;
    ASSERT_TRUE(ReadProcessIdentity(getpid(), &self).ok());
    procs_.AddProcess(self);
  }
  void TearDown() override {
    if (retained_.lock.fd >= 0) close(retained_.lock.fd);
  }

  // The first pass (main_state kCreatePreConfig) unless told otherwise; generation 1 for the
  // first pass, 2 for later ones.
  Environment Env(MainState state = MainState::kCreatePreConfig) const {
    Environment env;
    env.main_state = state;
    env.run_mode = RunMode::kNormal;
    env.generation = state == MainState::kCreatePreConfig ? 1 : 2;
    env.pid = getpid();  // WriteLedger reads this process's identity from /proc
    env.euid = geteuid();
    env.server_root = "/etc/apache2";
    env.config_file = "/etc/apache2/apache2.conf";
    env.apr_default_lock = "pthread";
    return env;
  }

  Recorder NewRecorder(Environment env) {
    Seams seams;
    seams.sysv = &sysv_;
    seams.procs = &procs_;
    return Recorder(std::move(env), &retained_, log_.Sink(), seams);
  }

  // A set as APR's sysvsem mutex leaves it: IPC_PRIVATE, one semaphore, made by this euid and
  // last touched (SETVAL) by this very process.
  SemSet HttpdMutex(int64_t ctime = 1763900000) const {
    SemSet s = semguard_test::HttpdMutexSet(geteuid(), geteuid(), getegid(), getpid());
    s.cgid = getegid();
    s.ctime = ctime;
    return s;
  }

  // pre_config and check_config.
  void Begin(Recorder& rec, bool enabled = true) {
    rec.TakeFirstSnapshot();
    Settings settings;
    settings.enabled = enabled;
    settings.ledger_path = ledger_path_;
    rec.Configure(settings);
  }

  // open_logs, where the MPM makes the accept mutex: returns the semid of the set the MPM made,
  // or -1 when `mpm_makes_a_set` is false.
  int OpenLogs(Recorder& rec, bool mpm_makes_a_set = true) {
    rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    int semid = mpm_makes_a_set ? sysv_.Add(HttpdMutex()) : -1;
    rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
    rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {"mod_log_config.c"});
    return semid;
  }

  void PostConfig(Recorder& rec) {
    rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
    rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
    rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
    rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  }

  // A whole first pass in which the MPM makes one set; returns its semid.
  int FirstPassWithOneSet(Recorder& rec) {
    Begin(rec);
    int semid = OpenLogs(rec);
    PostConfig(rec);
    return semid;
  }

  Ledger ReadLedger() {
    Ledger ledger;
    Status st = ReadLedgerFile(ledger_path_, geteuid(), &ledger);
    EXPECT_TRUE(st.ok()) << st.message();
    return ledger;
  }

  TempDir dir_;
  const std::string ledger_path_ = dir_.File("test.ledger");
  FakeSysV sysv_;
  FakeProcessTable procs_;
  Retained retained_{};  // zero-filled, as ap_retained_data_create gives it
  semguard_test::LogLines log_;
};

TEST_F(RecorderTest, RecordsTheMpmSetAsMpmAcceptAndTheLedgerListsIt) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int semid = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});

  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_EQ(rec.recorded()[0].set.semid, semid);
  EXPECT_EQ(rec.recorded()[0].type, "mpm-accept");
  EXPECT_EQ(rec.recorded()[0].creator_pid, getpid());
  EXPECT_EQ(rec.recorded()[0].generation, 1);

  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  Ledger ledger = ReadLedger();
  EXPECT_EQ(ledger.owner.process.pid, getpid());
  EXPECT_EQ(ledger.owner.generation, 1);
  EXPECT_EQ(ledger.owner.server_root, "/etc/apache2");
  EXPECT_EQ(ledger.owner.config_file, "/etc/apache2/apache2.conf");
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, semid);
  EXPECT_EQ(ledger.sets[0].set.ctime, 1763900000);
  EXPECT_EQ(ledger.sets[0].type, "mpm-accept");
  EXPECT_EQ(ledger.sets[0].creator_pid, getpid());
  EXPECT_TRUE(rec.holds_lock());
  EXPECT_TRUE(retained_.ledger_written);
}

TEST_F(RecorderTest, LedgerIsWrittenAsSoonAsASetAppears) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  // The owner is on disk before any set exists (issue 8, case 5): a start that dies between
  // two checkpoints is still found through it.
  ASSERT_TRUE(FileExists(ledger_path_));
  EXPECT_EQ(ReadLedger().sets.size(), 0u);
  EXPECT_EQ(ReadLedger().owner.process.pid, getpid());
  EXPECT_TRUE(ReadLedger().owner.lock.known()) << "the lock file's identity is recorded";
  const int semid = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  Ledger ledger = ReadLedger();  // a start that crashes from here on still names the set
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, semid);
}

TEST_F(RecorderTest, CheckpointWithoutNewSetsWritesOnlyAtTheEndOfAPhase) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  OpenLogs(rec);
  ASSERT_EQ(unlink(ledger_path_.c_str()), 0);
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
  EXPECT_FALSE(FileExists(ledger_path_));
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  EXPECT_EQ(ReadLedger().sets.size(), 1u);
}

TEST_F(RecorderTest, RetainedKeepsTheChecksumOfTheFileOnDisk) {
  Recorder rec = NewRecorder(Env());
  FirstPassWithOneSet(rec);
  Ledger ledger;
  uint32_t crc = 0;
  ASSERT_TRUE(ReadLedgerFile(ledger_path_, geteuid(), &ledger, &crc).ok());
  EXPECT_EQ(retained_.ledger_crc, crc);
  EXPECT_STREQ(retained_.lock.path, (ledger_path_ + ".lock").c_str());
}

TEST_F(RecorderTest, LabelsSetsByTheirPhase) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
  const int other = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_foo.c"});
  const int ssl = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
  rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});

  Ledger ledger = ReadLedger();
  ASSERT_EQ(ledger.sets.size(), 3u);
  EXPECT_EQ(ledger.sets[0].set.semid, accept);
  EXPECT_EQ(ledger.sets[0].type, "mpm-accept");
  EXPECT_EQ(ledger.sets[1].set.semid, other);
  EXPECT_EQ(ledger.sets[1].type, "post_config");
  EXPECT_EQ(ledger.sets[2].set.semid, ssl);
  EXPECT_EQ(ledger.sets[2].type, "ssl");
  EXPECT_EQ(log_.With("SG00009").size(), 1u);
  EXPECT_EQ(log_.With("mpm-accept 1, post_config 1, ssl 1").size(), 1u);
}

TEST_F(RecorderTest, IgnoresSetsThatDoNotLookLikeHttpds) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  SemSet keyed = HttpdMutex();
  keyed.key = 0x5347;
  SemSet two_semaphores = HttpdMutex();
  two_semaphores.nsems = 2;
  SemSet other_creator = HttpdMutex();
  other_creator.cuid = geteuid() + 1000;
  SemSet touched_by_another_process = HttpdMutex();
  touched_by_another_process.last_pid = getpid() + 1;
  for (const SemSet& s : {keyed, two_semaphores, other_creator, touched_by_another_process}) {
    ASSERT_GE(sysv_.Add(s), 0);
  }
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});

  EXPECT_TRUE(rec.recorded().empty());
  EXPECT_TRUE(ReadLedger().sets.empty());
}

TEST_F(RecorderTest, IgnoresSetsThatExistedBeforeTheFirstSnapshot) {
  sysv_.Add(HttpdMutex());
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  OpenLogs(rec, /*mpm_makes_a_set=*/false);
  EXPECT_TRUE(rec.recorded().empty());
}

TEST_F(RecorderTest, SetThatVanishesBeforeItIsProbedIsNotRecorded) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int semid = sysv_.Add(HttpdMutex());
  sysv_.SetBeforeCall([&](FakeSysV::Op op, int id) {
    if (op == FakeSysV::Op::kProbe && id == semid) sysv_.Vanish(semid);
  });
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_TRUE(rec.recorded().empty());
}

TEST_F(RecorderTest, ConfigTestRunRecordsNothingAndWritesNoFile) {
  Environment env = Env();
  env.run_mode = RunMode::kConfigTest;
  Recorder rec = NewRecorder(env);
  Begin(rec);
  OpenLogs(rec);
  PostConfig(rec);
  EXPECT_TRUE(rec.recorded().empty());
  EXPECT_FALSE(rec.holds_lock());
  EXPECT_FALSE(FileExists(ledger_path_));
  EXPECT_FALSE(FileExists(ledger_path_ + ".lock"));
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 0);
}

TEST_F(RecorderTest, DisabledRecordsNothingAndWritesNoFile) {
  Recorder rec = NewRecorder(Env());
  Begin(rec, /*enabled=*/false);
  OpenLogs(rec);
  PostConfig(rec);
  EXPECT_TRUE(rec.recorded().empty());
  EXPECT_FALSE(rec.holds_lock());
  EXPECT_FALSE(FileExists(ledger_path_));
  EXPECT_FALSE(FileExists(ledger_path_ + ".lock"));
  EXPECT_TRUE(log_.all().empty()) << log_.all().front();
}

TEST_F(RecorderTest, RecordsOnlyInAConfigurationPass) {
  for (MainState state : {MainState::kInitialStartup, MainState::kDestroyConfig,
                          MainState::kRunMpm, MainState::kExiting}) {
    Recorder rec = NewRecorder(Env(state));
    Begin(rec);
    OpenLogs(rec);
    EXPECT_TRUE(rec.recorded().empty()) << "main state " << static_cast<int>(state);
  }
  EXPECT_FALSE(FileExists(ledger_path_));
  EXPECT_FALSE(FileExists(ledger_path_ + ".lock"));
}

TEST_F(RecorderTest, CorruptPreviousLedgerIsKeptAsBadWithAnError) {
  const std::string garbage = "semguard-ledger 1\nowner pid=1 start=2\n% not a ledger \xFF\n";
  ASSERT_TRUE(WriteFileBytes(ledger_path_, garbage));
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  EXPECT_TRUE(log_.With("SG00003").empty()) << "check_config must change nothing";
  EXPECT_EQ(ReadFileBytes(ledger_path_), garbage);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});

  std::vector<std::string> errors = log_.With("SG00003");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind(std::to_string(kError) + " SG00003: refusing the ledger", 0), 0u)
      << errors[0];
  EXPECT_NE(errors[0].find(ledger_path_ + ".bad"), std::string::npos) << errors[0];
  EXPECT_EQ(ReadFileBytes(ledger_path_ + ".bad"), garbage);

  const int semid = sysv_.Add(HttpdMutex());
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  Ledger fresh = ReadLedger();
  ASSERT_EQ(fresh.sets.size(), 1u) << "recording starts afresh";
  EXPECT_EQ(fresh.sets[0].set.semid, semid);
  EXPECT_EQ(ReadFileBytes(ledger_path_ + ".bad"), garbage);
}

TEST_F(RecorderTest, WorldWritableLedgerIsAlsoKeptAsBad) {
  ASSERT_TRUE(WriteLedgerFile(ledger_path_, Ledger{}).ok());
  ASSERT_EQ(chmod(ledger_path_.c_str(), 0666), 0);
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  std::vector<std::string> errors = log_.With("SG00003");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("world-writable"), std::string::npos) << errors[0];
  EXPECT_TRUE(FileExists(ledger_path_ + ".bad"));
}

// Before core's open_logs, the first pass's lines reach only the terminal; they are logged once
// more when the ErrorLog is open (by open_logs-last), and only once more.
TEST_F(RecorderTest, EarlyErrorsAreLoggedAgainOnceTheErrorLogIsOpen) {
  ASSERT_TRUE(WriteFileBytes(ledger_path_, "garbage\n"));
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(log_.With("SG00003").size(), 1u);
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  std::vector<std::string> errors = log_.With("SG00003");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], errors[1]);
  PostConfig(rec);
  EXPECT_EQ(log_.With("SG00003").size(), 2u);
}

// A normal start prints nothing on the terminal: the first pass's routine lines (here the
// cleanup's summary) wait until the ErrorLog is open, and are logged there once.
TEST_F(RecorderTest, RoutineLinesOfTheFirstPassWaitForTheErrorLog) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_TRUE(log_.With("SG00017").empty());
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_EQ(log_.With("SG00017").size(), 1u);
  PostConfig(rec);
  EXPECT_EQ(log_.With("SG00017").size(), 1u);
}

TEST_F(RecorderTest, LaterPassesLogEachLineOnce) {
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
  }
  ASSERT_TRUE(WriteFileBytes(ledger_path_, "garbage\n"));
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  PostConfig(second);
  EXPECT_EQ(log_.With("SG00003").size(), 1u);
}

TEST_F(RecorderTest, SecondPassCarriesASetThatStillExists) {
  const int semid = [&] {
    Recorder first = NewRecorder(Env());
    return FirstPassWithOneSet(first);
  }();
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  PostConfig(second);

  ASSERT_EQ(second.recorded().size(), 1u);
  EXPECT_EQ(second.recorded()[0].set.semid, semid);
  Ledger ledger = ReadLedger();
  EXPECT_EQ(ledger.owner.generation, 2);
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, semid);
  EXPECT_EQ(ledger.sets[0].type, "mpm-accept");
  EXPECT_EQ(ledger.sets[0].generation, 1) << "a carried set keeps the generation it appeared in";
  EXPECT_TRUE(log_.With("SG00004").empty());
  EXPECT_TRUE(log_.With("SG00001").empty()) << "the lock is kept across passes";
}

TEST_F(RecorderTest, SecondPassDropsASetThatWasRemoved) {
  {
    Recorder first = NewRecorder(Env());
    sysv_.Vanish(FirstPassWithOneSet(first));
  }
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  const int fresh = OpenLogs(second);
  PostConfig(second);

  ASSERT_EQ(second.recorded().size(), 1u);
  EXPECT_EQ(second.recorded()[0].set.semid, fresh);
  Ledger ledger = ReadLedger();
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, fresh);
  EXPECT_EQ(ledger.sets[0].generation, 2);
}

TEST_F(RecorderTest, SecondPassDropsASetWhoseSemidWasReused) {
  int semid = -1;
  {
    Recorder first = NewRecorder(Env());
    semid = FirstPassWithOneSet(first);
  }
  SemSet other = HttpdMutex(/*ctime=*/1763900999);
  other.last_pid = 1;
  other.uid += 1;  // another program's set: another owner than httpd's User
  ASSERT_TRUE(sysv_.Replace(semid, other));
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  PostConfig(second);
  EXPECT_TRUE(second.recorded().empty());
  EXPECT_TRUE(ReadLedger().sets.empty());
}

TEST_F(RecorderTest, LedgerRewrittenByAnotherWriterBetweenPassesIsReported) {
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
  }
  Ledger foreign = ReadLedger();
  foreign.owner.written_at += 1;  // still valid, different checksum
  ASSERT_TRUE(WriteLedgerFile(ledger_path_, foreign).ok());

  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  std::vector<std::string> errors = log_.With("SG00004");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind(std::to_string(kError) + " SG00004: ", 0), 0u) << errors[0];
  EXPECT_TRUE(second.recorded().empty()) << "sets of a ledger that is not ours are not carried";
}

// Issue 8, case 6: the spare copy in the lock file keeps what this server recorded.
TEST_F(RecorderTest, LedgerDeletedBetweenPassesIsReadFromTheCopyInItsLock) {
  size_t recorded = 0;
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
    recorded = first.recorded().size();
  }
  ASSERT_GT(recorded, 0u);
  ASSERT_EQ(unlink(ledger_path_.c_str()), 0);
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  EXPECT_TRUE(log_.With("SG00004").empty());
  EXPECT_EQ(second.recorded().size(), recorded) << "the sets of earlier passes are carried";
}

TEST_F(RecorderTest, LedgerAndItsCopyDeletedBetweenPassesIsReported) {
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
  }
  ASSERT_EQ(unlink(ledger_path_.c_str()), 0);
  ASSERT_EQ(truncate((ledger_path_ + ".lock").c_str(), 0), 0);
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  EXPECT_EQ(log_.With("SG00004").size(), 1u);
}

TEST_F(RecorderTest, SecondServerOnTheSameLedgerRecordsNothing) {
  Recorder first = NewRecorder(Env());
  FirstPassWithOneSet(first);
  const std::string ledger_before = ReadFileBytes(ledger_path_);

  Retained other_retained{};
  semguard_test::LogLines other_log;
  Seams seams;
  seams.sysv = &sysv_;
  seams.procs = &procs_;
  Recorder other(Env(), &other_retained, other_log.Sink(), seams);
  Begin(other);
  other.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  sysv_.Add(HttpdMutex());
  other.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  other.AtCheckpoint(Checkpoint::kOpenLogsLast, {});

  EXPECT_FALSE(other.holds_lock());
  EXPECT_FALSE(other.guarding());
  EXPECT_NE(other.guarding_reason().find("held by another live process"), std::string::npos);
  // Nothing written; its own set is remembered only in its retained memory, for the takeover.
  EXPECT_EQ(other_retained.unguarded.n, 1);
  ASSERT_FALSE(other_log.all().empty());
  EXPECT_NE(other_log.all()[0].find("SG00001"), std::string::npos) << other_log.all()[0];
  EXPECT_NE(other_log.all()[1].find("SG00032"), std::string::npos) << other_log.all()[1];
  EXPECT_EQ(ReadFileBytes(ledger_path_), ledger_before);
}

// Issue 8, case 2b: the children an Off generation forks must still hold the lock, or the next
// start would take them for gone.
TEST_F(RecorderTest, TurningOffOnRestartKeepsTheLock) {
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
  }
  ASSERT_TRUE(InstanceLockHeld(ledger_path_ + ".lock"));
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second, /*enabled=*/false);
  EXPECT_TRUE(second.holds_lock());
  EXPECT_TRUE(InstanceLockHeld(ledger_path_ + ".lock"));
  EXPECT_FALSE(second.guarding());
  EXPECT_EQ(second.guarding_reason().rfind("SemGuard Off (the ledger is kept current", 0), 0u)
      << second.guarding_reason();
}

// The Off generation's processes hold the lock, so other instances count them as guarded: the
// sets it makes must reach the ledger, or another instance's adoption takes them for leftovers.
TEST_F(RecorderTest, AnOffGenerationHoldingTheLockKeepsItsLedgerCurrentAndRemovesNothing) {
  int first_set = -1;
  {
    Recorder first = NewRecorder(Env());
    first_set = FirstPassWithOneSet(first);
  }
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second, /*enabled=*/false);
  ASSERT_EQ(log_.With("SG00045").size(), 1u);
  // The restart's pconf cleanup removed the old accept mutex; the MPM makes a new one.
  ASSERT_TRUE(sysv_.Remove(first_set).ok());
  const int new_set = OpenLogs(second);
  PostConfig(second);
  Ledger ledger = ReadLedger();
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, new_set);
  EXPECT_EQ(ledger.owner.generation, 2);
  EXPECT_TRUE(log_.With("SG00015").empty() && log_.With("SG00019").empty());
}

// A writer killed between create and rename left a temporary file: the start that takes the
// lock removes it and says so; a restart (same lock holder) finds nothing to remove.
TEST_F(RecorderTest, TheStartThatTakesTheLockRemovesATornWritesTemporaryFile) {
  const std::string torn = ledger_path_ + ".tmp.00000000deadbeef";
  ASSERT_TRUE(semguard_test::WriteFileBytes(torn, "semguard-ledger 2\nowner pid="));
  Recorder first = NewRecorder(Env());
  FirstPassWithOneSet(first);
  EXPECT_FALSE(std::ifstream(torn).good());
  ASSERT_EQ(log_.With("SG00046").size(), 1u);
  EXPECT_NE(log_.With("SG00046")[0].find("removed 1 temporary file(s)"), std::string::npos);
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  FirstPassWithOneSet(second);
  EXPECT_EQ(log_.With("SG00046").size(), 1u);
}

// An Off restart that also names another ledger (one that cannot be locked, or another run's)
// keeps the lock and the ledger it holds: it never moves it.
TEST_F(RecorderTest, AnOffRestartNeverMovesTheLedger) {
  {
    Recorder first = NewRecorder(Env());
    FirstPassWithOneSet(first);
  }
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  second.TakeFirstSnapshot();
  Settings off;
  off.enabled = false;
  off.ledger_path = dir_.File("missing/app.ledger");
  second.Configure(off);
  const int new_set = OpenLogs(second);
  PostConfig(second);
  EXPECT_TRUE(second.holds_lock());
  EXPECT_TRUE(InstanceLockHeld(ledger_path_ + ".lock"));
  EXPECT_TRUE(log_.With("SG00001").empty());
  EXPECT_TRUE(log_.With("SG00026").empty());
  bool listed = false;
  for (const RecordedSet& r : ReadLedger().sets) listed = listed || r.set.semid == new_set;
  EXPECT_TRUE(listed) << "the new set is in the ledger the lock belongs to";
}

// Started with Off, turned On by a restart: the sets made while Off are in no ledger, so On
// waits for the next start (loudly) rather than record only the new generation's sets.
TEST_F(RecorderTest, OnAtARestartOfAServerStartedOffWaitsForTheNextStart) {
  {
    Recorder start = NewRecorder(Env());
    Begin(start, /*enabled=*/false);
    OpenLogs(start);
    PostConfig(start);
  }
  Recorder restart = NewRecorder(Env(MainState::kCreateConfig));
  Begin(restart, /*enabled=*/true);
  OpenLogs(restart);
  PostConfig(restart);
  ASSERT_EQ(log_.With("SG00047").size(), 1u);
  EXPECT_EQ(log_.With("SG00047")[0].substr(0, 2), "4 ") << "at warn";
  EXPECT_FALSE(restart.holds_lock());
  EXPECT_FALSE(restart.guarding());
  EXPECT_NE(restart.guarding_reason().find("takes effect at the next start"), std::string::npos);
  EXPECT_FALSE(std::ifstream(ledger_path_).good());
  EXPECT_TRUE(log_.With("SG00001").empty() && log_.With("SG00032").empty());
}

// A server started with Off takes no lock, records nothing and says nothing.
TEST_F(RecorderTest, AStartWithOffStaysSilentAndTakesNoLock) {
  Recorder rec = NewRecorder(Env());
  Begin(rec, /*enabled=*/false);
  OpenLogs(rec);
  PostConfig(rec);
  EXPECT_FALSE(rec.holds_lock());
  EXPECT_TRUE(log_.With("SG00045").empty());
  EXPECT_FALSE(std::ifstream(ledger_path_).good());
}

TEST_F(RecorderTest, MovedLedgerKeepsItsSets) {
  int semid = -1;
  {
    Recorder first = NewRecorder(Env());
    semid = FirstPassWithOneSet(first);
  }
  const std::string old_path = ledger_path_;
  const std::string new_path = dir_.File("moved.ledger");
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  second.TakeFirstSnapshot();
  Settings moved_settings;
  moved_settings.ledger_path = new_path;
  second.Configure(moved_settings);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  PostConfig(second);

  ASSERT_EQ(second.recorded().size(), 1u);
  EXPECT_EQ(second.recorded()[0].set.semid, semid);
  Ledger moved;
  Status st = ReadLedgerFile(new_path, geteuid(), &moved);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(moved.sets.size(), 1u);
  EXPECT_EQ(moved.sets[0].set.semid, semid);
  EXPECT_FALSE(FileExists(old_path));
  EXPECT_FALSE(FileExists(old_path + ".lock"));
  EXPECT_TRUE(InstanceLockHeld(new_path + ".lock"));
  EXPECT_EQ(log_.With("SG00026").size(), 1u);
  EXPECT_TRUE(log_.With("SG00004").empty());
}

TEST_F(RecorderTest, NothingToGuardIsToldOnce) {
  {
    Recorder first = NewRecorder(Env());
    Begin(first);
    OpenLogs(first, /*mpm_makes_a_set=*/false);
    PostConfig(first);
  }
  Recorder second = NewRecorder(Env(MainState::kCreateConfig));
  Begin(second);
  OpenLogs(second, /*mpm_makes_a_set=*/false);
  PostConfig(second);
  std::vector<std::string> told = log_.With("SG00008");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("'pthread'"), std::string::npos) << told[0];
}

TEST_F(RecorderTest, ChildExitWithEverySetInPlaceAlarmsNobody) {
  Recorder rec = NewRecorder(Env());
  FirstPassWithOneSet(rec);
  ASSERT_NE(retained_.child_area, nullptr);
  rec.ChildExited(12345);
  EXPECT_TRUE(log_.With("SG00007").empty());
  ChildExits exits(retained_.child_area);
  EXPECT_EQ(exits.counters().vanished_sets.load(), 0u);
  EXPECT_EQ(exits.counters().child_exits.load(), 1u);
}

TEST_F(RecorderTest, VanishedSetIsReportedOnceAtTheNextChildExit) {
  Recorder rec = NewRecorder(Env());
  const int semid = FirstPassWithOneSet(rec);
  ASSERT_NE(retained_.child_area, nullptr);
  ASSERT_TRUE(sysv_.Vanish(semid));

  rec.ChildExited(12345);
  std::vector<std::string> alerts = log_.With("SG00007");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rfind(std::to_string(kAlert) + " SG00007: semaphore set " +
                                std::to_string(semid) + " (mpm-accept)", 0),
            0u)
      << alerts[0];
  EXPECT_NE(alerts[0].find("it is gone"), std::string::npos) << alerts[0];

  rec.ChildExited(12346);
  EXPECT_EQ(log_.With("SG00007").size(), 1u) << "reported again";
  ChildExits exits(retained_.child_area);
  EXPECT_EQ(exits.counters().vanished_sets.load(), 1u);
  EXPECT_EQ(exits.counters().child_exits.load(), 2u);
}

TEST_F(RecorderTest, SetReplacedUnderTheSameSemidCountsAsVanished) {
  Recorder rec = NewRecorder(Env());
  const int semid = FirstPassWithOneSet(rec);
  SemSet other = HttpdMutex(/*ctime=*/1763900060);
  other.uid += 1;  // another program's set: another owner than httpd's User
  ASSERT_TRUE(sysv_.Replace(semid, other));

  rec.ChildExited(12345);
  std::vector<std::string> alerts = log_.With("SG00007");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NE(alerts[0].find("its semid now names another set"), std::string::npos) << alerts[0];
  EXPECT_EQ(ChildExits(retained_.child_area).counters().vanished_sets.load(), 1u);
}

TEST_F(RecorderTest, ChildTrackingGoesThroughTheSharedArea) {
  Recorder rec = NewRecorder(Env());
  FirstPassWithOneSet(rec);
  rec.ChildStarted(500);
  rec.ChildExitingCleanly(500);
  rec.ChildStarted(501);
  rec.ChildExited(500);
  rec.ChildExited(501);
  ChildExits exits(retained_.child_area);
  EXPECT_EQ(exits.counters().child_exits.load(), 2u);
  EXPECT_EQ(exits.counters().child_exits_unclean.load(), 1u);
}

TEST_F(RecorderTest, UnreadableTableIsLoggedAndRecordsNothing) {
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  sysv_.Add(HttpdMutex());
  sysv_.FailNext(FakeSysV::Op::kScan, Status::Io("semctl(SEM_INFO): Operation not permitted"));
  sysv_.FailNext(FakeSysV::Op::kStatSlot, Status::Io("semctl(SEM_STAT): Permission denied"), 99);
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  EXPECT_EQ(log_.With("SG00006").size(), 1u);
  EXPECT_TRUE(rec.recorded().empty());
}


// ---- Scans the recorder skips, and what a skip may cost ----------------------------------

// A checkpoint whose SEM_INFO counts equal the last scan's skips its scan. Equal counts prove
// nothing by themselves: here this process makes its accept mutex while another program's set
// goes, and later another program makes a set of httpd's shape while one of its sets goes. The
// skips only delay the recording of the accept mutex to post_config-last, which always scans;
// the foreign set is never recorded.
TEST_F(RecorderTest, EqualCountsDelayARecordingToTheLastScanAndNeverRecordAForeignSet) {
  SemSet foreign = HttpdMutex();
  foreign.last_pid = getpid() + 1;
  const int foreign_first = sysv_.Add(foreign);
  const int foreign_second = sysv_.Add(foreign);
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  ASSERT_EQ(ReadLedger().sets.size(), 0u);
  ASSERT_EQ(unlink(ledger_path_.c_str()), 0);
  const int accept = sysv_.Add(HttpdMutex());
  ASSERT_TRUE(sysv_.Vanish(foreign_first));
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
  EXPECT_TRUE(rec.recorded().empty()) << "both skipped: the counts are the same";
  // No write at a skip: the ledger written at open_logs-first (its written_at before the accept
  // mutex appeared) stays, so a start that died now would leave the mutex to the next start's
  // crashed-start search.
  EXPECT_FALSE(FileExists(ledger_path_));
  SemSet late_foreign = HttpdMutex(1763900100);  // our shape and creator, another last user
  late_foreign.last_pid = getpid() + 2;
  const int late = sysv_.Add(late_foreign);
  ASSERT_TRUE(sysv_.Vanish(foreign_second));
  PostConfig(rec);

  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_EQ(rec.recorded()[0].set.semid, accept);
  EXPECT_EQ(rec.recorded()[0].type, "post_config") << "recorded late: labelled by the phase";
  Ledger ledger = ReadLedger();
  ASSERT_EQ(ledger.sets.size(), 1u);
  EXPECT_EQ(ledger.sets[0].set.semid, accept);
  EXPECT_NE(ledger.sets[0].set.semid, late);
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 2) << "pre_config and post_config-last only";
}

// The same moves with unequal counts are seen at once: the skip needs both counts equal.
TEST_F(RecorderTest, ASetThatAppearsWithAnotherSizeIsRecordedAtOnce) {
  SemSet two = HttpdMutex();
  two.nsems = 2;
  two.last_pid = getpid() + 1;
  const int foreign = sysv_.Add(two);
  Recorder rec = NewRecorder(Env());
  Begin(rec);
  rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
  const int accept = sysv_.Add(HttpdMutex());
  ASSERT_TRUE(sysv_.Vanish(foreign));  // one set each way, but two semaphores went, one came
  rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_EQ(rec.recorded()[0].set.semid, accept);
  EXPECT_EQ(rec.recorded()[0].type, "mpm-accept");
}

// The startup cleanup picks its sets from the pre_config scan; what it removes comes out of
// that snapshot, so open_logs-first needs no scan of its own for the removals.
TEST_F(RecorderTest, TheCleanupUsesTheFirstSnapshotAndItsRemovalsNeedNoRescan) {
  Settings settings;
  settings.enabled = true;
  settings.ledger_path = ledger_path_;
  settings.adopt = AdoptMode::kRemove;
  settings.user = 33;
  settings.group = 33;
  std::vector<int> leftovers;
  for (int i = 0; i < 3; ++i) {
    leftovers.push_back(sysv_.Add(semguard_test::HttpdMutexSet(geteuid(), 33, 33, 999999)));
  }
  Recorder rec = NewRecorder(Env());
  rec.TakeFirstSnapshot();
  rec.Configure(settings);
  const int accept = OpenLogs(rec);
  for (int semid : leftovers) EXPECT_FALSE(sysv_.Exists(semid));
  EXPECT_EQ(sysv_.calls(FakeSysV::Op::kScan), 1)
      << "pre_config only: open_logs-after-mpm finds the accept mutex in a few slots";
  ASSERT_EQ(rec.recorded().size(), 1u);
  EXPECT_EQ(rec.recorded()[0].set.semid, accept);
  EXPECT_EQ(rec.recorded()[0].type, "mpm-accept");
}

}  // namespace
}  // namespace semguard
