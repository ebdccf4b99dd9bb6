#include "module/slot_search.h"

#include <algorithm>

namespace semguard {
namespace {

// Slots one walk may read beyond the sets wanted: room for a few sets other programs made.
constexpr int kSpareReadsPerWalk = 4;

}  // namespace

SlotSearch SearchNewSlots(SysV& sysv, const SlotTable& snapshot, int max_index, int after,
                          int wanted) {
  SlotSearch search;
  std::vector<int> read;  // slots already read, so that the walks never read one twice
  auto walk = [&](int from) {
    int budget = wanted + kSpareReadsPerWalk;
    auto held = std::lower_bound(snapshot.begin(), snapshot.end(), from,
                                 [](const SemSet& set, int i) { return set.index < i; });
    for (int index = from; index <= max_index && budget > 0; ++index) {
      if (static_cast<int>(search.found.size()) >= wanted) return;
      while (held != snapshot.end() && held->index < index) ++held;
      if (held != snapshot.end() && held->index == index) continue;  // a known set's slot
      if (std::find(read.begin(), read.end(), index) != read.end()) continue;
      read.push_back(index);
      --budget;
      ++search.reads;
      SemSet set;
      if (sysv.StatSlot(index, &set).ok()) search.found.push_back(set);
    }
  };
  if (after >= 0) walk(after + 1);
  walk(snapshot.empty() ? 0 : snapshot.back().index + 1);
  walk(0);
  return search;
}

}  // namespace semguard
