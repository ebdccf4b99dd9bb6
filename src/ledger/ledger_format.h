// The ledger's text format, version 1: what this server instance made, and who it is.
//
//   semguard-ledger 1
//   owner pid=812 start=4711 pidns=4026531836 boot=0b9e...-... gen=1 written=1763900000
//   config root=/etc/apache2 file=/etc/apache2/apache2.conf
//   set semid=32769 key=0 uid=33 gid=33 cuid=0 cgid=0 mode=600 nsems=1 ctime=1763900000
//       pid=812 gen=1 type=mpm-accept                        (one line per set)
//   end count=1 crc32c=1a2b3c4d
//
// Strings are percent-encoded. The checksum covers every byte before the "end" line. The
// decoder accepts exactly this and names the first problem it finds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "os/proc_identity.h"
#include "os/sem_set.h"
#include "base/status.h"

namespace semguard {

inline constexpr int kLedgerVersion = 1;
inline constexpr size_t kLedgerMaxSets = 4096;

struct LedgerOwner {
  ProcessIdentity process;  // the httpd parent
  long generation = 0;      // ap_config_generation when written
  int64_t written_at = 0;   // wall clock, seconds
  std::string server_root;
  std::string config_file;
};

struct Ledger {
  LedgerOwner owner;
  std::vector<RecordedSet> sets;
};

std::string EncodeLedger(const Ledger& ledger);
Status DecodeLedger(std::string_view text, Ledger* out);

// Mutex type names are short words: [a-z0-9_-], 1 to 64 characters.
bool IsValidTypeName(std::string_view name);

}  // namespace semguard
