// Child-exit bookkeeping shared by the parent and its children: an anonymous MAP_SHARED area,
// made once per server lifetime and inherited by every fork. httpd's child_status hook tells the
// parent that a child exited but not how; a child that shuts down cleanly marks itself here
// first, so an exit without the mark was a signal or a crash.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace semguard {

// The status page's full-table scan, shared by every child so that a large table is scanned
// once per kScanCacheSeconds for the whole server, not once per child. A seqlock: `seq` is odd
// while a writer fills the fields; readers retry until they see the same even value twice.
inline constexpr int kSharedOwners = 64;
struct SharedScan {
  std::atomic<uint32_t> seq{0};
  std::atomic<int64_t> at{0};          // when the published scan ran; 0 never
  std::atomic<int64_t> claimed_at{0};  // a child rescanning since then (stale after 30 s)
  std::atomic<uint32_t> n_owners{0};
  std::atomic<uint64_t> owners[kSharedOwners] = {};  // uid << 32 | sets
};

struct SharedCounters {
  std::atomic<uint64_t> child_exits{0};
  std::atomic<uint64_t> child_exits_unclean{0};  // ended without a clean shutdown
  std::atomic<uint64_t> child_exits_unknown{0};  // not tracked (table was full)
  std::atomic<uint64_t> vanished_sets{0};        // recorded sets that disappeared while we ran
  // Published by the parent (root), read by the children that serve the status page.
  std::atomic<int64_t> leaked_sets{-1};  // httpd-shaped leftovers no ledger knows; -1 unknown
  std::atomic<int64_t> leaked_at{0};             // when that was counted (wall clock, seconds)
  SharedScan scan;
};

// The area's number of pid slots: twice the 32768 live children it is sized for. A constant of
// the code, not a field of the area: the parent (root) reads its bounds from its own copy, never
// from memory a child can write (CVE-2019-0211's class).
inline constexpr uint32_t kChildSlots = 1u << 16;

class ChildExits {
 public:
  // Maps an area of kChildSlots slots; nullptr when mmap fails. The area lives as long as the
  // server; only its address is kept (in httpd's retained data).
  static void* MapArea();
  explicit ChildExits(void* area) : header_(static_cast<Header*>(area)) {}

  SharedCounters& counters() { return header_->counters; }
  const SharedCounters& counters() const { return header_->counters; }

  // In the child, after fork.
  void ChildStarted(pid_t pid);
  // In the child, from its clean-shutdown path (a pool cleanup that SIGKILL never runs).
  void ChildExitedCleanly(pid_t pid);

  enum class Exit { kClean, kUnclean, kUnknown };
  // In the parent, once per reaped child: classifies the exit, counts it, frees its slot.
  Exit ParentSawExit(pid_t pid);

 private:
  // `magic` and `slots` are written once by MapArea for people reading a core dump; no code
  // reads them back: a child can overwrite both.
  struct Header {
    uint32_t magic;  // "SGCX": how a test module finds the area among the mappings
    uint32_t slots;  // kChildSlots
    SharedCounters counters;
  };
  // A slot holds 0 (free), pid (running) or -pid (exited cleanly). Every index is taken modulo
  // kChildSlots, so whatever a child wrote, no access leaves the mapping.
  std::atomic<int32_t>* Slots() const;
  std::atomic<int32_t>* Find(pid_t pid) const;

  Header* header_ = nullptr;
};

}  // namespace semguard
