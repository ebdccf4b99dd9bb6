// The ledger's text format, version 2: what this server instance made, and who it is.
//
//   semguard-ledger 2
//   owner pid=812 start=4711 pidns=4026531836 boot=0b9e...-... sid=812 gen=1
//       written=1763900000 lockdev=2049 lockino=1311                 (one line)
//   config root=/etc/apache2 file=/etc/apache2/apache2.conf
//   set semid=32769 key=0 uid=33 gid=33 cuid=0 cgid=0 mode=600 nsems=1 ctime=1763900000
//       pid=812 gen=1 type=mpm-accept                        (one line per set)
//   set ... type=ssl opid=640 ostart=4100 opidns=4026531836 oboot=0b9e... osid=640
//       olockdev=2049 olockino=1311      (an inherited set: its own run's owner, o* fields)
//   end count=2 crc32c=1a2b3c4d
//
// `sid` is the owner's session, `lockdev`/`lockino` the instance lock file it held (st_dev,
// st_ino). Version 1 (no sid, lock or o* fields) is still read: its lock and session are
// unknown. Strings are percent-encoded. The checksum covers every byte before the "end" line.
// The decoder accepts exactly this and names the first problem it finds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "os/proc_identity.h"
#include "os/sem_set.h"
#include "base/status.h"

namespace semguard {

inline constexpr int kLedgerVersion = 2;
inline constexpr size_t kLedgerMaxSets = 4096;

struct LedgerOwner {
  ProcessIdentity process;  // the httpd parent, with its session
  FileId lock;              // the instance lock file it holds; unknown in version 1
  long generation = 0;      // ap_config_generation when written
  int64_t written_at = 0;   // wall clock, seconds
  std::string server_root;
  std::string config_file;
};

struct Ledger {
  LedgerOwner owner;
  std::vector<RecordedSet> sets;
};

// Who made `rec`: its own owner when inherited, else the ledger's.
RunOwner OwnerOf(const Ledger& ledger, const RecordedSet& rec);

std::string EncodeLedger(const Ledger& ledger);
// The "end" line that seals `body` (every line before it) holding `set_count` set lines.
std::string LedgerEndLine(std::string_view body, size_t set_count);
Status DecodeLedger(std::string_view text, Ledger* out);

// Mutex type names are short words: [a-z0-9_-], 1 to 64 characters.
bool IsValidTypeName(std::string_view name);

}  // namespace semguard
