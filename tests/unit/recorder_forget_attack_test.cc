// Attacks on "the ledger never forgets a set until it is gone" (review of 491ff8b and 99ffc76):
// a set of ours that still exists but leaves the ledger, or never enters it, while the status
// says guarding. Such a set looks like a leftover no ledger knows to another instance's
// SemGuardAdopt (live ledgers protect by semid only), and leaks at the next start after a crash.
// Each test states the property; a test that fails names a hole.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_sysv.h"
#include "ledger/ledger_format.h"
#include "module/recorder.h"
#include "support/fake_recorder_rig.h"
#include "support/sem_sets.h"

namespace semguard {
namespace {

using semguard_test::FakeSysV;
using semguard_test::TestIdentity;

constexpr uid_t kUid = semguard_test::kRigUid;
constexpr pid_t kSelf = semguard_test::kRigPid;
constexpr pid_t kGoneUser = kSelf + 7;  // a process, now exited, that ran as User

class RecorderForgetAttackTest : public semguard_test::FakeRecorderRig {
 protected:
  void SetUp() override {
    files_.writer_uid = kUid;
    procs_.AddProcess(TestIdentity(kSelf), kSelf);
  }

  int AddOursNow() {
    SemSet s = semguard_test::HttpdMutexSet(kUid, kUid, 0, kSelf);
    s.ctime = clock_.Now();
    return sysv_.Add(s);
  }

  // Every checkpoint of a pass; `before_last` runs just before post_config-last's scan.
  void WholePass(Recorder& rec, int* ssl, void (*before_last)(FakeSysV&) = nullptr) {
    rec.AtCheckpoint(Checkpoint::kOpenLogsFirst, {});
    rec.AtCheckpoint(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"});
    rec.AtCheckpoint(Checkpoint::kOpenLogsLast, {});
    rec.AtCheckpoint(Checkpoint::kPostConfigFirst, {});
    rec.AtCheckpoint(Checkpoint::kPostConfigBeforeSsl, {"mod_status.c"});
    if (ssl != nullptr) *ssl = AddOursNow();  // mod_ssl's session cache mutex (process pool)
    rec.AtCheckpoint(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"});
    if (before_last != nullptr) before_last(sysv_);
    rec.AtCheckpoint(Checkpoint::kPostConfigLast, {});
  }
};

// 491ff8b (and the full scans' KeepSetsInTable before it): mod_ssl's set outlives restarts.
// After it was recorded, a process running as User (the set's owner after httpd's IPC_SET: a
// CGI, PHP, an admin's "reset the stuck semaphore" script) does SETVAL 1 on it: the set is the
// same one, free, still used by the server, but its ctime moved and its last user is that
// process, now gone. At the next graceful restart the ledger loads, pre_config's scan holds the
// set under the same semid but SameIdentity fails on ctime, so Configure drops it; it is not new
// against the snapshot either, so it never comes back. From then on the live server's ledger
// does not name it: another instance's SemGuardAdopt Remove sees an httpd-shaped free set whose
// last user is gone and no live ledger names its semid, and removes it under the live server.
TEST_F(RecorderForgetAttackTest, ALiveSetWhoseCtimeMovedStaysInTheLedgerAcrossARestart) {
  Recorder first = NewRecorder(MainState::kCreatePreConfig, 1, "/usr/sbin/apache2");
  Begin(first);
  int ssl = -1;
  WholePass(first, &ssl);
  ASSERT_TRUE(Names(OnDisk(), ssl)) << "pass 1 recorded mod_ssl's set";

  clock_.Set(clock_.Now() + 30);
  SemSet* now = sysv_.Find(ssl);
  ASSERT_NE(now, nullptr);
  now->ctime = clock_.Now();  // SETVAL (or an IPC_SET keeping mode 0600) by the set's owner
  now->last_pid = kGoneUser;
  now->value = 1;

  clock_.Set(clock_.Now() + 30);
  Recorder second = NewRecorder(MainState::kCreateConfig, 2, "/usr/sbin/apache2");
  Begin(second);
  WholePass(second, nullptr);
  ASSERT_TRUE(sysv_.Exists(ssl));
  EXPECT_TRUE(Names(OnDisk(), ssl))
      << "semid " << ssl << " still exists (same slot, semid, key, creator, size) but the "
      << "ledger of the live server no longer names it: SemGuardAdopt elsewhere may remove it";
}

// The control for the test above: the same two passes with no SETVAL keep the set named, so
// what the test above sees is the ctime that moved.
TEST_F(RecorderForgetAttackTest, Control_ALiveSetWhoseIdentityStaysIsNamedAcrossARestart) {
  Recorder first = NewRecorder(MainState::kCreatePreConfig, 1, "/usr/sbin/apache2");
  Begin(first);
  int ssl = -1;
  WholePass(first, &ssl);
  clock_.Set(clock_.Now() + 60);
  Recorder second = NewRecorder(MainState::kCreateConfig, 2, "/usr/sbin/apache2");
  Begin(second);
  WholePass(second, nullptr);
  EXPECT_TRUE(Names(OnDisk(), ssl));
}

// 99ffc76 (b): pre_config's scan failed and so did every scan up to post_config-last (SEM_INFO
// refused, SG00006). post_config-last's scan is then the baseline and records nothing, so
// mod_ssl's set, made in this pass, is in no ledger; being in every later pre_config snapshot,
// no later generation records it either. The server says it guards (SG00050 is a warning about
// a crash leaking it), yet its set is exposed to other instances' adoption for its whole life.
// The property: a set of ours in no ledger means this server does not claim to guard.
TEST_F(RecorderForgetAttackTest, ABaselineThatHidesASetOfOursIsNotSilentlyGuarded) {
  // Every scan fails from pre_config on; post_config-last's is the first that works.
  sysv_.FailNext(FakeSysV::Op::kScan, Status::Io("semctl(SEM_INFO): Operation not permitted"),
                 1000);
  Recorder first = NewRecorder(MainState::kCreatePreConfig, 1, "/usr/sbin/apache2");
  Begin(first);
  int ssl = -1;
  WholePass(first, &ssl,
            [](FakeSysV& sysv) { sysv.FailNext(FakeSysV::Op::kScan, Status::Ok(), 0); });
  ASSERT_EQ(log_.With("SG00050").size(), 1u) << "post_config-last's scan is the baseline";

  Recorder second = NewRecorder(MainState::kCreateConfig, 2, "/usr/sbin/apache2");
  Begin(second);
  WholePass(second, nullptr);
  ASSERT_TRUE(sysv_.Exists(ssl));
  const bool named = Names(OnDisk(), ssl);
  EXPECT_TRUE(named || !second.guarding())
      << "semid " << ssl << " (ours, live) is in no ledger, yet the server reports guarding: "
      << "yes one generation later";
}

}  // namespace
}  // namespace semguard
