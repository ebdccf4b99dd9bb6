#include "page/page_builder.h"

#include <algorithm>
#include <mutex>

#include "page/owner_names.h"

namespace semguard {
namespace {

// Per process (each child keeps its own): the last full scan's counts by owner.
// Guarded: worker and event serve several requests of one process at once.
struct ScanCache {
  std::mutex lock;
  int64_t at = 0;
  std::map<uid_t, int> by_owner;
};

ScanCache& Cache() {
  static ScanCache cache;
  return cache;
}

bool CountByOwner(SysV* sysv, std::map<uid_t, int>* out) {
  std::vector<SemSet> table;
  if (!sysv->Scan(&table).ok()) return false;
  out->clear();
  for (const SemSet& s : table) ++(*out)[s.uid];
  return true;
}

// Rescans when the shared copy is older than kScanCacheSeconds and no other child is at it;
// then reads the shared copy. Owners beyond kSharedOwners are dropped from the page.
void ReadSharedScan(SharedScan* shared, SysV* sysv, int64_t now, std::map<uid_t, int>* by_owner,
                    int64_t* at) {
  int64_t published = shared->at.load();
  int64_t claim = shared->claimed_at.load();
  bool stale = now - published >= kScanCacheSeconds || now < published;
  bool free_to_claim = claim == 0 || now - claim > 30 || now < claim;
  if (stale && free_to_claim && shared->claimed_at.compare_exchange_strong(claim, now)) {
    std::map<uid_t, int> counted;
    if (CountByOwner(sysv, &counted)) {
      shared->seq.fetch_add(1);  // odd: writing
      uint32_t n = 0;
      for (const auto& [uid, sets] : counted) {
        if (n == kSharedOwners) break;
        shared->owners[n++].store(static_cast<uint64_t>(uid) << 32 | static_cast<uint32_t>(sets));
      }
      shared->n_owners.store(n);
      shared->at.store(now);
      shared->seq.fetch_add(1);  // even: done
    }
    shared->claimed_at.store(0);
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint32_t before = shared->seq.load();
    if (before & 1u) continue;
    by_owner->clear();
    uint32_t n = std::min<uint32_t>(shared->n_owners.load(), kSharedOwners);
    for (uint32_t i = 0; i < n; ++i) {
      uint64_t v = shared->owners[i].load();
      (*by_owner)[static_cast<uid_t>(v >> 32)] = static_cast<int>(v & 0xffffffffu);
    }
    *at = shared->at.load();
    if (shared->seq.load() == before) return;
  }
}

}  // namespace

PageModel FillPageModel(const PageSources& in, int64_t now) {
  PageModel m;
  m.now = now;
  m.server_pid = in.retained != nullptr && in.retained->server_pid > 0 ? in.retained->server_pid
                                                                       : in.server_pid;
  m.generation = in.generation;
  m.enabled = in.enabled;

  if (in.recorded != nullptr) {
    for (const RecordedSet& r : *in.recorded) {
      ServerSetView v;
      v.semid = r.set.semid;
      v.type = r.type;
      v.created = r.set.ctime;
      SemSet kernel;
      if (in.sysv->Stat(r.set.semid, &kernel).ok() && SameIdentity(r.set, kernel)) {
        v.present = true;
        v.last_use = kernel.otime;
        v.nsems = static_cast<long>(kernel.nsems);
        ++m.server_sets_present;
        ++m.server_sets_by_type[r.type];
      }
      m.server_sets.push_back(v);
    }
  }
  if (in.retained != nullptr) {
    m.startup = in.retained->startup;
    if (in.retained->child_area != nullptr) {
      const SharedCounters& c = ChildExits(in.retained->child_area).counters();
      m.child_exits = c.child_exits.load();
      m.child_exits_by_signal = c.child_exits_unclean.load();
      m.vanished_sets = c.vanished_sets.load();
      m.leaked_sets = c.leaked_sets.load();
      m.leaked_at = c.leaked_at.load();
    }
  }

  in.sysv->Info(&m.table);  // O(1): SEM_INFO and IPC_INFO
  SharedScan* shared = in.retained != nullptr && in.retained->child_area != nullptr
                           ? &ChildExits(in.retained->child_area).counters().scan
                           : nullptr;
  if (shared != nullptr) {
    ReadSharedScan(shared, in.sysv, now, &m.sets_by_owner, &m.scanned_at);
  } else {
    ScanCache& cache = Cache();
    std::lock_guard<std::mutex> hold(cache.lock);
    if (now - cache.at >= kScanCacheSeconds || now < cache.at) {
      std::map<uid_t, int> counted;
      if (CountByOwner(in.sysv, &counted)) {
        cache.by_owner = std::move(counted);
        cache.at = now;
      }
    }
    m.sets_by_owner = cache.by_owner;
    m.scanned_at = cache.at;
  }
  for (const auto& owner : m.sets_by_owner) m.owner_names[owner.first] = OwnerName(owner.first);
  // A run needs its sets (SEMMNI) and their semaphores (SEMMNS); whichever runs out first.
  long sems_per_run = 0;
  for (const ServerSetView& v : m.server_sets) sems_per_run += v.present ? v.nsems : 0;
  if (m.server_sets_present > 0 && m.table.sets_limit > 0 && sems_per_run > 0) {
    long by_sets = (m.table.sets_limit - m.table.sets_in_use) / m.server_sets_present;
    long by_sems = (m.table.sems_limit - m.table.sems_in_use) / sems_per_run;
    m.unclean_stops_left = static_cast<int>(std::max(0L, std::min(by_sets, by_sems)));
  }
  return m;
}

}  // namespace semguard
