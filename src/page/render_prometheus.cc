// ?prometheus: text exposition format 0.0.4, every metric prefixed semguard_, with HELP and TYPE.
#include <cstdio>

#include "page/render.h"

namespace semguard {
namespace {

class Exposition {
 public:
  void Metric(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP semguard_") + name + " " + help + "\n# TYPE semguard_" + name + " " + type + "\n";
    name_ = name;
  }
  void Sample(long long value, const std::string& labels = "") {
    out_ += "semguard_" + name_ + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(value) + "\n";
  }
  void Seconds(double value) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6f", value);
    out_ += "semguard_" + name_ + " " + buf + "\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_, name_;
};

}  // namespace

std::string RenderPrometheus(const PageModel& m) {
  Exposition e;
  e.Metric("server_sets", "gauge", "Semaphore sets this server created that still exist, by mutex type.");
  for (const auto& [type, n] : m.server_sets_by_type) e.Sample(n, "type=\"" + type + "\"");
  e.Metric("child_exits_total", "counter", "Child processes of this server that exited.");
  e.Sample(static_cast<long long>(m.child_exits));
  e.Metric("child_exits_by_signal_total", "counter",
           "Child processes that exited without a clean shutdown (killed by a signal or crashed).");
  e.Sample(static_cast<long long>(m.child_exits_by_signal));
  e.Metric("vanished_sets_total", "counter", "Recorded sets that were removed under this live server.");
  e.Sample(static_cast<long long>(m.vanished_sets));
  e.Metric("startup_cleanup_ran", "gauge", "1 when the startup cleanup ran in this server's life, else 0.");
  e.Sample(m.startup.ran ? 1 : 0);
  e.Metric("startup_removed_sets", "gauge", "Leftover sets of the previous run removed at the last start.");
  e.Sample(m.startup.removed);
  e.Metric("startup_skipped_sets", "gauge", "Leftover sets of the previous run kept at the last start.");
  e.Sample(m.startup.skipped);
  e.Metric("adoption_candidates", "gauge", "Httpd-shaped leftovers no ledger knows, found at the last start.");
  e.Sample(m.startup.candidates);
  e.Metric("startup_cleanup_seconds", "gauge", "How long the last start's cleanup took.");
  e.Seconds(m.startup.millis / 1000.0);
  e.Metric("system_sets", "gauge", "Semaphore sets in use on the host (its IPC namespace).");
  e.Sample(m.table.sets_in_use);
  e.Metric("system_sets_limit", "gauge", "The kernel's limit on semaphore sets (SEMMNI).");
  e.Sample(m.table.sets_limit);
  e.Metric("system_sems", "gauge", "Semaphores in use on the host.");
  e.Sample(m.table.sems_in_use);
  e.Metric("system_sems_limit", "gauge", "The kernel's limit on semaphores (SEMMNS).");
  e.Sample(m.table.sems_limit);
  e.Metric("system_sets_by_owner", "gauge", "Semaphore sets in use on the host, by owner uid.");
  for (const auto& [uid, n] : m.sets_by_owner) e.Sample(n, "owner=\"" + std::to_string(uid) + "\"");
  if (m.leaked_sets >= 0) {
    e.Metric("leaked_sets", "gauge", "Httpd-shaped sets that look leaked: free, last user dead, in no live ledger.");
    e.Sample(m.leaked_sets);
  }
  if (m.headroom_restarts >= 0) {
    e.Metric("headroom_restarts", "gauge", "Unclean restarts of this server that still fit before a start fails.");
    e.Sample(m.headroom_restarts);
  }
  return e.Take();
}

}  // namespace semguard
