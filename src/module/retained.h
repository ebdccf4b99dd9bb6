// What the module keeps across configuration passes and restarts. httpd unloads and reloads the
// module's DSO at every restart, so this is plain data in httpd's retained memory (allocated by
// the glue with sg_retained_size()), inherited by the daemon when the first process detaches.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "ledger/instance_lock.h"
#include "os/sem_set.h"

namespace semguard {

// The last real start's cleanup, as the status page shows it. Plain data with fixed room.
struct StartupRecord {
  bool ran;
  int removed, skipped, candidates, adopted;
  double millis;
  pid_t previous_owner;
  int64_t at;  // wall clock, seconds
  int n_skips;
  struct Skip {
    int semid;
    char reason[200];
  } skips[16];  // the first 16 skipped sets
};

// Sets this server made while no ledger of its own names them: while it could not take the
// instance lock (it serves unguarded and writes no ledger), or when its last ledger write failed
// (a full or read-only disk). Kept here across restarts, so that the next pass that writes a
// ledger records them too. Plain data with fixed room; what does not fit is counted.
struct UnguardedSets {
  int n;
  int dropped;  // made while unguarded but beyond the room here
  struct Entry {
    SemSet set;
    char type[65];
    pid_t creator_pid;
    long generation;
  } sets[64];
};

// The first two fields are the same in every version of the module (a later one can still find
// the lock a running server holds); `version` and `size` say how to read the rest.
struct Retained {
  uint32_t magic;          // kRetainedMagic once initialised
  HeldLock lock;           // the instance lock, held for the server's life
  uint32_t version;        // kRetainedVersion
  uint32_t size;           // sizeof(Retained) of the module that initialised it
  uint32_t ledger_crc;     // checksum of the ledger this server last wrote
  bool ledger_written;     // ... and whether it wrote one at all
  bool told_nothing_to_guard;
  void* child_area;        // ChildExits' shared mapping, or nullptr
  StartupRecord startup;   // copied into every child by fork
  pid_t server_pid;        // the parent that last wrote the ledger
  UnguardedSets unguarded; // sets no ledger of ours names (unguarded, or a failed write)
  bool started_off;        // the start said SemGuard Off: On waits for the next start
  bool unrecorded_sets;    // a pass of this run took a baseline (SG00050): some sets of ours
                           // are in no ledger until the next start
};

inline constexpr uint32_t kRetainedMagic = 0x53475254;  // "SGRT"
// Bump with every change of Retained or StartupRecord after the first two fields.
inline constexpr uint32_t kRetainedVersion = 5;

// Zero-filled memory (as ap_retained_data_create gives) becomes a fresh Retained; a block this
// version made is kept. Anything else (a module upgraded by a graceful restart finds the block
// an older one made, of another size) is refused: false, and the block is left untouched.
inline bool InitRetained(Retained* r) {
  if (r->magic == kRetainedMagic) {
    return r->version == kRetainedVersion && r->size == sizeof(Retained);
  }
  if (r->magic != 0) return false;
  *r = Retained{};
  r->magic = kRetainedMagic;
  r->lock = kNoLock;
  r->version = kRetainedVersion;
  r->size = static_cast<uint32_t>(sizeof(Retained));
  return true;
}

}  // namespace semguard
