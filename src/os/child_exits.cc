#include "os/child_exits.h"

#include <sys/mman.h>

#include <new>

namespace semguard {
namespace {

static_assert((kChildSlots & (kChildSlots - 1)) == 0, "the slot mask needs a power of two");
constexpr uint32_t kSlotMask = kChildSlots - 1;
constexpr uint32_t kAreaMagic = 0x53474358;  // "SGCX"

}  // namespace

void* ChildExits::MapArea() {
  size_t bytes = sizeof(Header) + kChildSlots * sizeof(std::atomic<int32_t>);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  auto* header = new (mem) Header{kAreaMagic, kChildSlots, {}};
  auto* table = reinterpret_cast<std::atomic<int32_t>*>(header + 1);
  for (uint32_t i = 0; i < kChildSlots; ++i) new (&table[i]) std::atomic<int32_t>(0);
  return mem;
}

std::atomic<int32_t>* ChildExits::Slots() const {
  return reinterpret_cast<std::atomic<int32_t>*>(header_ + 1);
}

std::atomic<int32_t>* ChildExits::Find(pid_t pid) const {
  if (pid <= 0) return nullptr;  // 0 marks a free slot
  std::atomic<int32_t>* table = Slots();
  for (uint32_t i = 0, at = static_cast<uint32_t>(pid) & kSlotMask; i < kChildSlots;
       ++i, at = (at + 1) & kSlotMask) {
    int32_t v = table[at].load(std::memory_order_acquire);
    if (v == pid || v == -pid) return &table[at];
  }
  return nullptr;
}

void ChildExits::ChildStarted(pid_t pid) {
  std::atomic<int32_t>* table = Slots();
  for (uint32_t i = 0, at = static_cast<uint32_t>(pid) & kSlotMask; i < kChildSlots;
       ++i, at = (at + 1) & kSlotMask) {
    int32_t expected = 0;
    if (table[at].compare_exchange_strong(expected, pid, std::memory_order_acq_rel)) return;
  }
  // Full: this child stays untracked and its exit is counted as unknown.
}

void ChildExits::ChildExitedCleanly(pid_t pid) {
  std::atomic<int32_t>* slot = Find(pid);
  if (slot != nullptr) slot->store(-pid, std::memory_order_release);
}

ChildExits::Exit ChildExits::ParentSawExit(pid_t pid) {
  SharedCounters& c = counters();
  c.child_exits.fetch_add(1, std::memory_order_relaxed);
  std::atomic<int32_t>* slot = Find(pid);
  if (slot == nullptr) {
    c.child_exits_unknown.fetch_add(1, std::memory_order_relaxed);
    return Exit::kUnknown;
  }
  bool clean = slot->exchange(0, std::memory_order_acq_rel) < 0;
  if (clean) return Exit::kClean;
  c.child_exits_unclean.fetch_add(1, std::memory_order_relaxed);
  return Exit::kUnclean;
}

}  // namespace semguard
