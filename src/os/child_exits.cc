#include "os/child_exits.h"

#include <sys/mman.h>

#include <new>

namespace semguard {
namespace {

constexpr uint32_t kChildExitsMagic = 0x53474358;  // "SGCX"

}  // namespace

void* ChildExits::MapArea(int max_children) {
  uint32_t slots = 64;
  while (slots < 2u * static_cast<uint32_t>(max_children > 0 ? max_children : 1) &&
         slots < (1u << 20)) {
    slots <<= 1;
  }
  size_t bytes = sizeof(Header) + slots * sizeof(std::atomic<int32_t>);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  auto* header = new (mem) Header{kChildExitsMagic, slots, {}};
  auto* table = reinterpret_cast<std::atomic<int32_t>*>(header + 1);
  for (uint32_t i = 0; i < slots; ++i) new (&table[i]) std::atomic<int32_t>(0);
  return mem;
}

std::atomic<int32_t>* ChildExits::Slots() const {
  return reinterpret_cast<std::atomic<int32_t>*>(header_ + 1);
}

std::atomic<int32_t>* ChildExits::Find(pid_t pid) const {
  std::atomic<int32_t>* table = Slots();
  uint32_t mask = header_->slots - 1;
  for (uint32_t i = 0, at = static_cast<uint32_t>(pid) & mask; i <= mask;
       ++i, at = (at + 1) & mask) {
    int32_t v = table[at].load(std::memory_order_acquire);
    if (v == pid || v == -pid) return &table[at];
  }
  return nullptr;
}

void ChildExits::ChildStarted(pid_t pid) {
  std::atomic<int32_t>* table = Slots();
  uint32_t mask = header_->slots - 1;
  for (uint32_t i = 0, at = static_cast<uint32_t>(pid) & mask; i <= mask;
       ++i, at = (at + 1) & mask) {
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
