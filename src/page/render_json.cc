// ?json: the model as one JSON object; the schema is in docs/status-page.md ("version": 1).
#include "page/render.h"

namespace semguard {
namespace {

std::string Str(const std::string& s) { return "\"" + JsonEscape(s) + "\""; }
std::string Num(long long v) { return std::to_string(v); }

}  // namespace

std::string RenderJson(const PageModel& m) {
  std::string sets, by_type, skips, owners;
  for (const ServerSetView& s : m.server_sets) {
    sets += std::string(sets.empty() ? "" : ",") + "{\"semid\":" + Num(s.semid) +
            ",\"type\":" + Str(s.type) + ",\"created\":" + Num(s.created) +
            ",\"last_use\":" + Num(s.last_use) + ",\"present\":" + (s.present ? "true" : "false") +
            "}";
  }
  for (const auto& [type, n] : m.server_sets_by_type) {
    by_type += std::string(by_type.empty() ? "" : ",") + Str(type) + ":" + Num(n);
  }
  for (int i = 0; i < m.startup.n_skips; ++i) {
    skips += std::string(skips.empty() ? "" : ",") + "{\"semid\":" + Num(m.startup.skips[i].semid) +
             ",\"reason\":" + Str(m.startup.skips[i].reason) + "}";
  }
  for (const auto& [uid, n] : m.sets_by_owner) {
    owners += std::string(owners.empty() ? "" : ",") + Str(std::to_string(uid)) + ":" + Num(n);
  }
  return "{\"version\":1,\"time\":" + Num(m.now) +
         ",\"server\":{\"pid\":" + Num(m.server_pid) + ",\"generation\":" + Num(m.generation) +
         ",\"enabled\":" + (m.enabled ? "true" : "false") +
         ",\"guarding\":" + (m.guarding ? "true" : "false") +
         ",\"guarding_reason\":" + Str(m.guarding_reason) +
         ",\"sets_total\":" + Num(m.server_sets_present) +
         ",\"sets_by_type\":{" + by_type + "},\"sets\":[" + sets + "],\"child_exits\":" +
         Num(static_cast<long long>(m.child_exits)) +
         ",\"child_exits_by_signal\":" + Num(static_cast<long long>(m.child_exits_by_signal)) +
         ",\"vanished_sets\":" + Num(static_cast<long long>(m.vanished_sets)) + "}" +
         ",\"last_start\":{\"cleanup_ran\":" + (m.startup.ran ? "true" : "false") +
         ",\"at\":" + Num(m.startup.at) + ",\"removed\":" + Num(m.startup.removed) +
         ",\"skipped\":" + Num(m.startup.skipped) + ",\"skips\":[" + skips + "]" +
         ",\"adoption_candidates\":" + Num(m.startup.candidates) +
         ",\"adopted\":" + Num(m.startup.adopted) +
         ",\"cleanup_ms\":" + Num(static_cast<long long>(m.startup.millis + 0.5)) +
         ",\"previous_owner_pid\":" + Num(m.startup.previous_owner) + "}" +
         ",\"host\":{\"sets\":" + Num(m.table.sets_in_use) +
         ",\"sets_limit\":" + Num(m.table.sets_limit) + ",\"sems\":" + Num(m.table.sems_in_use) +
         ",\"sems_limit\":" + Num(m.table.sems_limit) + ",\"sets_by_owner\":{" + owners +
         "},\"scanned_at\":" + Num(m.scanned_at) + ",\"leaked_sets\":" + Num(m.leaked_sets) +
         ",\"leaked_at\":" + Num(m.leaked_at) +
         ",\"headroom_restarts\":" + Num(m.headroom_restarts) +
         ",\"near_limit\":" + (NearLimit(m) ? "true" : "false") + "}}\n";
}

}  // namespace semguard
