// The semaphore table as the recorder keeps it between checkpoints: the sets a scan read, in
// slot order (a scan walks the slots in order, so it needs no sorting and no map). Finding new
// sets is a merge walk of two such tables; the few look-ups by semid go through a small sorted
// list of the semids asked for.
#pragma once

#include <vector>

#include "os/sem_set.h"

namespace semguard {

using SlotTable = std::vector<SemSet>;  // sorted by SemSet::index

// Calls `visit(set)` for every set of `now` that `before` does not hold: no set in its slot
// there, or one with another identity (the slot was reused).
template <typename Visit>
void ForEachNewSet(const SlotTable& before, const SlotTable& now, Visit visit) {
  auto old = before.begin();
  for (const SemSet& set : now) {
    while (old != before.end() && old->index < set.index) ++old;
    if (old != before.end() && old->index == set.index && SameIdentity(*old, set)) continue;
    visit(set);
  }
}

// Whether a set sits in slot `index` of `table`.
bool HoldsSlot(const SlotTable& table, int index);
// Adds `set` (read by slot) in its place, replacing what the table held in that slot.
void PutInSlot(SlotTable* table, const SemSet& set);
// Takes out of `table` the sets of `gone` that it holds with the very same identity; returns
// how many sets and semaphores that took out.
struct TakenOut {
  int sets = 0;
  long sems = 0;
};
TakenOut TakeOut(SlotTable* table, std::vector<SemSet> gone);
// Drops from `recorded` the sets `table` shows gone: their semid names nothing, or a set that
// cannot be the one recorded (httpd removes pconf's sets at every restart). A set whose ctime
// alone moved (SETVAL by a process of the server's User) is kept with the identity recorded:
// still ours, and named in the ledger, so no other instance's adoption takes it; removing it
// needs that very identity, so it is never removed as the recorded set.
void KeepSetsInTable(const SlotTable& table, std::vector<RecordedSet>* recorded);

}  // namespace semguard
