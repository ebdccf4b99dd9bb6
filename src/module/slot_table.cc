#include "module/slot_table.h"

#include <algorithm>
#include <utility>

namespace semguard {
namespace {

bool SlotBefore(const SemSet& set, int index) { return set.index < index; }
bool SemidBefore(const SemSet& a, const SemSet& b) { return a.semid < b.semid; }

}  // namespace

bool HoldsSlot(const SlotTable& table, int index) {
  auto it = std::lower_bound(table.begin(), table.end(), index, SlotBefore);
  return it != table.end() && it->index == index;
}

void PutInSlot(SlotTable* table, const SemSet& set) {
  auto it = std::lower_bound(table->begin(), table->end(), set.index, SlotBefore);
  if (it != table->end() && it->index == set.index) {
    *it = set;
  } else {
    table->insert(it, set);
  }
}

TakenOut TakeOut(SlotTable* table, std::vector<SemSet> gone) {
  TakenOut taken;
  if (gone.empty()) return taken;
  std::sort(gone.begin(), gone.end(), SemidBefore);
  auto removed = [&gone, &taken](const SemSet& set) {
    auto range = std::equal_range(gone.begin(), gone.end(), set, SemidBefore);
    for (auto it = range.first; it != range.second; ++it) {
      if (!SameIdentity(*it, set)) continue;
      ++taken.sets;
      taken.sems += static_cast<long>(set.nsems);
      return true;
    }
    return false;
  };
  table->erase(std::remove_if(table->begin(), table->end(), removed), table->end());
  return taken;
}

void KeepSetsInTable(const SlotTable& table, std::vector<RecordedSet>* recorded) {
  if (recorded->empty()) return;
  // One walk of the table, each set looked up among the recorded semids (a handful).
  std::vector<std::pair<int, size_t>> wanted;  // semid, position in *recorded
  wanted.reserve(recorded->size());
  for (size_t i = 0; i < recorded->size(); ++i) wanted.emplace_back((*recorded)[i].set.semid, i);
  std::sort(wanted.begin(), wanted.end());
  std::vector<bool> alive(recorded->size(), false);
  for (const SemSet& set : table) {
    auto it = std::lower_bound(wanted.begin(), wanted.end(), std::make_pair(set.semid, size_t{0}));
    for (; it != wanted.end() && it->first == set.semid; ++it) {
      if (CanBeTheSameSet((*recorded)[it->second].set, set)) alive[it->second] = true;
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < recorded->size(); ++i) {
    if (!alive[i]) continue;
    if (kept != i) (*recorded)[kept] = std::move((*recorded)[i]);
    ++kept;
  }
  recorded->resize(kept);
}

}  // namespace semguard
