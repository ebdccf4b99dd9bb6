// A recorder over fakes only: files (FakeFileSystem), the semaphore table (FakeSysV), processes
// (FakeProcessTable) and the clock, with the retained block and the log lines it writes. The
// recorder tests that need no real file or /proc derive their fixture from it.
#pragma once

#include <sys/types.h>

#include <string>

#include <gtest/gtest.h>

#include "config/settings.h"
#include "fakes/fake_file_system.h"
#include "fakes/fake_process_table.h"
#include "fakes/fake_sysv.h"
#include "ledger/ledger_format.h"
#include "module/recorder.h"
#include "module/retained.h"
#include "support/log_lines.h"

namespace semguard_test {

inline constexpr uid_t kRigUid = 33;
inline constexpr pid_t kRigPid = 4242;
inline const std::string kRigLedger = "/run/apache2/test.ledger";

class FakeRecorderRig : public testing::Test {
 protected:
  // A recorder of this pass: pid kRigPid, euid kRigUid, every seam a fake of this rig.
  semguard::Recorder NewRecorder(semguard::MainState state, long generation,
                                 const std::string& exe = "") {
    semguard::Environment env;
    env.main_state = state;
    env.generation = generation;
    env.pid = kRigPid;
    env.euid = kRigUid;
    env.exe = exe;
    semguard::Seams seams;
    seams.sysv = &sysv_;
    seams.procs = &procs_;
    seams.files = &files_;
    seams.clock = &clock_;
    return semguard::Recorder(env, &retained_, log_.Sink(), seams);
  }

  // pre_config and check_config, recording into kRigLedger.
  void Begin(semguard::Recorder& rec) {
    rec.TakeFirstSnapshot();
    semguard::Settings settings;
    settings.ledger_path = kRigLedger;
    rec.Configure(settings);
  }

  // The ledger as the recorder last wrote it to kRigLedger.
  semguard::Ledger OnDisk() {
    semguard::Ledger l;
    semguard::Status st = semguard::DecodeLedger(files_.Text(kRigLedger), &l);
    EXPECT_TRUE(st.ok()) << st.message();
    return l;
  }
  static bool Names(const semguard::Ledger& l, int semid) {
    for (const semguard::RecordedSet& r : l.sets) {
      if (r.set.semid == semid) return true;
    }
    return false;
  }

  FakeFileSystem files_;
  FakeSysV sysv_;
  FakeProcessTable procs_;
  FakeClock clock_{1764600000};
  semguard::Retained retained_{};
  LogLines log_;
};

}  // namespace semguard_test
