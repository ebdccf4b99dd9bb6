// A ledger with known values, shared by the ledger format and ledger file tests.
#pragma once

#include <string>

#include "ledger/ledger_format.h"
#include "support/sem_sets.h"

namespace semguard_test {

inline semguard::RecordedSet SampleSet(int semid, const std::string& type) {
  semguard::RecordedSet r;
  r.set = HttpdMutexSet(0, 33, 33);
  r.set.value = 0;  // a ledger keeps a set's identity, not its state
  r.set.semid = semid;
  r.type = type;
  r.creator_pid = 812;
  r.generation = 1;
  return r;
}

inline semguard::Ledger SampleLedger() {
  semguard::Ledger ledger;
  ledger.owner.process.pid = 812;
  ledger.owner.process.start_time = 4711;
  ledger.owner.process.pid_ns = 4026531836u;
  ledger.owner.process.boot_id = "0b9e7a52-5c8b-4f2e-9d3a-1f2e3d4c5b6a";
  ledger.owner.generation = 1;
  ledger.owner.written_at = 1763900000;
  ledger.owner.process.session = 812;
  ledger.owner.lock = semguard::FileId{2049, 1311};
  ledger.owner.server_root = "/etc/apache2";
  ledger.owner.config_file = "/etc/apache2/apache2.conf";
  ledger.sets = {SampleSet(32769, "mpm-accept"), SampleSet(65538, "ssl")};
  return ledger;
}

}  // namespace semguard_test
