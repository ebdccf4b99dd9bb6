// Which file a descriptor or path names, whatever it is called now: st_dev and st_ino. The
// instance lock's identity goes into the ledger, so that a lock file that was deleted and made
// anew (an operator, a tmp cleaner) is told apart from the one the previous run held; and a
// lock a live process holds is known by it whatever path or mount namespace names it.
#pragma once

#include <cstdint>

namespace semguard {

struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool known() const { return dev != 0 || ino != 0; }
};

inline bool operator==(const FileId& a, const FileId& b) { return a.dev == b.dev && a.ino == b.ino; }
inline bool operator!=(const FileId& a, const FileId& b) { return !(a == b); }
// For sets of identities (the locks live processes hold).
inline bool operator<(const FileId& a, const FileId& b) {
  return a.dev != b.dev ? a.dev < b.dev : a.ino < b.ino;
}

}  // namespace semguard
