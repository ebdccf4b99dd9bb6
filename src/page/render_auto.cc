// ?auto: mod_status's plain "Key: Value" lines, CamelCase keys, raw numbers.
#include "page/render.h"

namespace semguard {

std::string RenderAuto(const PageModel& m, const std::string& key_prefix) {
  std::string out;
  auto line = [&](const std::string& key, long long value) {
    out += key_prefix + key + ": " + std::to_string(value) + "\n";
  };
  line("ServerSets", m.server_sets_present);
  for (const auto& [type, n] : m.server_sets_by_type) line("ServerSets" + CamelCase(type), n);
  line("ChildExits", static_cast<long long>(m.child_exits));
  line("ChildExitsBySignal", static_cast<long long>(m.child_exits_by_signal));
  line("VanishedSets", static_cast<long long>(m.vanished_sets));
  line("StartupCleanupRan", m.startup.ran ? 1 : 0);
  line("StartupRemoved", m.startup.removed);
  line("StartupSkipped", m.startup.skipped);
  line("AdoptionCandidates", m.startup.candidates);
  line("StartupCleanupMillis", static_cast<long long>(m.startup.millis + 0.5));
  line("PreviousOwnerPid", m.startup.previous_owner);
  line("SystemSets", m.table.sets_in_use);
  line("SystemSetsLimit", m.table.sets_limit);
  line("SystemSems", m.table.sems_in_use);
  line("SystemSemsLimit", m.table.sems_limit);
  line("LeakedSets", m.leaked_sets);
  line("HeadroomRestarts", m.headroom_restarts);
  return out;
}

}  // namespace semguard
