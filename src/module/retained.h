// What the module keeps across configuration passes and restarts. httpd unloads and reloads the
// module's DSO at every restart, so this is plain data in httpd's retained memory (allocated by
// the glue with sg_retained_size()), inherited by the daemon when the first process detaches.
#pragma once

#include <sys/types.h>

#include <cstdint>

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

struct Retained {
  uint32_t magic;          // kRetainedMagic once initialised
  int lock_fd;             // the instance lock, held for the server's life; -1 before
  char lock_path[4096];    // which file lock_fd locks
  uint32_t ledger_crc;     // checksum of the ledger this server last wrote
  bool ledger_written;     // ... and whether it wrote one at all
  bool told_nothing_to_guard;
  void* child_area;        // ChildExits' shared mapping, or nullptr
  StartupRecord startup;   // copied into every child by fork
  pid_t server_pid;        // the parent that last wrote the ledger
};

inline constexpr uint32_t kRetainedMagic = 0x53475254;  // "SGRT"

// Zero-filled memory (as ap_retained_data_create gives) becomes a fresh Retained.
inline void InitRetained(Retained* r) {
  if (r->magic == kRetainedMagic) return;
  *r = Retained{};
  r->magic = kRetainedMagic;
  r->lock_fd = -1;
}

}  // namespace semguard
