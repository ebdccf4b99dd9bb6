// A search for the few sets that appeared since the last scan, in a handful of slots instead of
// every slot of the table. Where Linux puts a new set (ipc/util.c, ipc_idr_alloc and ipc_addid):
// - Linux 5.4 and later ("ipc: do cyclic id allocation for the ipc object"):
//   idr_alloc_cyclic(&ids->ipcs_idr, NULL, 0, max_idx), max_idx = max(in_use * 3 / 2, 64)
//   capped at ipc_mni: the first free slot after the last one allocated (by anyone), wrapping
//   to the lowest free slot when none is left below max_idx;
// - before (RHEL 8's 4.18): idr_alloc(&ids->ipcs_idr, new, 0, 0): the lowest free slot.
// SEM_INFO returns the highest slot in use (ipc_get_maxidx), so nothing lies above it.
// The search walks, in order, the slots the snapshot holds empty after the last new set seen,
// after the snapshot's highest slot, and from slot 0, each walk a few slots long, and stops
// when it has found as many sets as the table grew by. It decides nothing: the caller judges
// what it found, and falls back to a full scan when the count does not add up.
#pragma once

#include <vector>

#include "module/slot_table.h"
#include "os/sysv.h"

namespace semguard {

struct SlotSearch {
  std::vector<SemSet> found;  // sets in slots the snapshot holds empty, in the order read
  int reads = 0;              // SEM_STAT calls made
};

// `max_index`: SEM_INFO's highest slot in use; `after`: the slot of the last new set seen
// (-1: none yet); `wanted`: how many sets the table grew by.
SlotSearch SearchNewSlots(SysV& sysv, const SlotTable& snapshot, int max_index, int after,
                          int wanted);

}  // namespace semguard
