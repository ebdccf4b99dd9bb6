#include "page/figures.h"

namespace semguard {
namespace {

using M = const PageModel&;

std::map<std::string, long long> SetsByType(M m) {
  return std::map<std::string, long long>(m.server_sets_by_type.begin(),
                                          m.server_sets_by_type.end());
}

std::map<std::string, long long> SetsByOwner(M m) {
  std::map<std::string, long long> out;
  for (const auto& [uid, n] : m.sets_by_owner) out[std::to_string(uid)] = n;
  return out;
}

long long Rounded(double v) { return static_cast<long long>(v + 0.5); }

}  // namespace

const std::vector<Figure>& Figures() {
  static const std::vector<Figure> kFigures = {
      {"ServerSets", "server_sets", "gauge",
       "Semaphore sets this server created that still exist, by mutex type.",
       [](M m) -> long long { return m.server_sets_present; }, nullptr, SetsByType, "type"},
      {"ChildExits", "child_exits_total", "counter",
       "Child processes of this server that exited.",
       [](M m) { return static_cast<long long>(m.child_exits); }},
      {"ChildExitsBySignal", "child_exits_by_signal_total", "counter",
       "Child processes that exited without a clean shutdown (killed by a signal or crashed).",
       [](M m) { return static_cast<long long>(m.child_exits_by_signal); }},
      {"VanishedSets", "vanished_sets_total", "counter",
       "Recorded sets that were removed under this live server.",
       [](M m) { return static_cast<long long>(m.vanished_sets); }},
      {"StartupCleanupRan", "startup_cleanup_ran", "gauge",
       "1 when the startup cleanup ran in this server's life, else 0.",
       [](M m) -> long long { return m.startup.ran ? 1 : 0; }},
      {"StartupRemoved", "startup_removed_sets", "gauge",
       "Leftover sets of the previous run removed at the last start.",
       [](M m) -> long long { return m.startup.removed; }},
      {"StartupSkipped", "startup_skipped_sets", "gauge",
       "Leftover sets of the previous run kept at the last start.",
       [](M m) -> long long { return m.startup.skipped; }},
      {"AdoptionCandidates", "adoption_candidates", "gauge",
       "Httpd-shaped leftovers no ledger knows, found at the last start.",
       [](M m) -> long long { return m.startup.candidates; }},
      {"StartupCleanupMillis", "startup_cleanup_seconds", "gauge",
       "How long the last start's cleanup took.",
       [](M m) { return Rounded(m.startup.millis); },
       [](M m) { return m.startup.millis / 1000.0; }},
      {"PreviousOwnerPid", nullptr, "gauge", "",
       [](M m) -> long long { return m.startup.previous_owner; }},
      {"SystemSets", "system_sets", "gauge",
       "Semaphore sets in use on the host (its IPC namespace).",
       [](M m) -> long long { return m.table.sets_in_use; }},
      {"SystemSetsLimit", "system_sets_limit", "gauge",
       "The kernel's limit on semaphore sets (SEMMNI).",
       [](M m) -> long long { return m.table.sets_limit; }},
      {"SystemSems", "system_sems", "gauge", "Semaphores in use on the host.",
       [](M m) -> long long { return m.table.sems_in_use; }},
      {"SystemSemsLimit", "system_sems_limit", "gauge",
       "The kernel's limit on semaphores (SEMMNS).",
       [](M m) -> long long { return m.table.sems_limit; }},
      {nullptr, "system_sets_by_owner", "gauge",
       "Semaphore sets in use on the host, by owner uid.",
       [](M) -> long long { return 0; }, nullptr, SetsByOwner, "owner"},
      {"LeakedSets", "leaked_sets", "gauge",
       "Httpd-shaped sets that look leaked: free, last user dead, in no live ledger.",
       [](M m) -> long long { return m.leaked_sets; }, nullptr, nullptr, nullptr, true},
      {"HeadroomRestarts", "headroom_restarts", "gauge",
       "Unclean restarts of this server that still fit before a start fails.",
       [](M m) -> long long { return m.headroom_restarts; }, nullptr, nullptr, nullptr, true},
      {"Guarding", "guarding", "gauge",
       "1 when this server holds its instance lock and records its sets; 0 when it does not "
       "(SemGuard Off, or it serves unguarded: see guarding_reason on ?json and the HTML page).",
       [](M m) -> long long { return m.guarding ? 1 : 0; }},
      {"Enabled", "enabled", "gauge", "1 unless SemGuard Off.",
       [](M m) -> long long { return m.enabled ? 1 : 0; }},
  };
  return kFigures;
}

}  // namespace semguard
