// The ledger store: load a ledger, keep a refused one aside as ".bad", write atomically, remove
// the old one after SemGuardLedger moved, and carry the recorded sets forward. Used by the
// module's recorder and by any other program (a command-line tool) that reads or writes ledgers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "ledger/ledger_format.h"
#include "os/file_system.h"
#include "os/sem_set.h"

namespace semguard {

// What a load found: the ledger and its checksum, or why there is none (NotFound: no file).
struct LoadedLedger {
  std::string path;
  Status status = Status::NotFound("not read");
  Ledger ledger;
  uint32_t crc = 0;
};

class LedgerStore {
 public:
  // Ledgers must be owned by `owner` (the uid that writes them).
  explicit LedgerStore(uid_t owner, FileSystem& files = RealFileSystem())
      : owner_(owner), files_(&files) {}

  LoadedLedger Load(const std::string& path) const;
  // `crc_out` receives the checksum of what was written.
  Status Write(const std::string& path, const Ledger& ledger, uint32_t* crc_out,
               FolderSync sync = FolderSync::kYes) const;
  // Keeps a refused ledger as "<path>.bad" for the operator, out of the next write's way.
  Status Quarantine(const std::string& path) const;
  // After SemGuardLedger moved and the ledger is written at its new path: removes the old
  // ledger and its lock file (the lock is held at the new path now).
  void RemoveMoved(const std::string& old_path) const;
  // Removes the temporary files of writes of `path` that never reached their rename (a writer
  // killed between create and rename). Only for the holder of the instance lock, which is the
  // only writer of `path`. Returns how many it removed.
  int RemoveStaleTemporaries(const std::string& path) const;

 private:
  uid_t owner_;
  FileSystem* files_;
};

// Carries recorded sets forward to the table `now`: drops the ones that are gone or whose semid
// names another set now (httpd removes pconf's sets at every restart).
void KeepLiveSets(const std::map<int, SemSet>& now, std::vector<RecordedSet>* recorded);

}  // namespace semguard
