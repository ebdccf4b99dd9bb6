#include "page/figures.h"

#include <cstdio>

#include "page/render.h"
#include "page/verdict.h"

namespace semguard {
namespace {

constexpr Section kVerdictLine = Section::kVerdict, kPageList = Section::kPage,
                  kServer = Section::kServer, kLastStart = Section::kLastStart,
                  kHost = Section::kHost;
constexpr Kind kNumber = Kind::kNumber, kFlag = Kind::kFlag, kText = Kind::kText;
constexpr const char* kGauge = "gauge";
constexpr const char* kCounter = "counter";

std::string N(long long v) { return std::to_string(v); }
long long None(Model) { return 0; }

// ---- The verdict ----

std::string VerdictWord(Model m) { return VerdictName(Judge(m).verdict); }
std::string VerdictWhy(Model m) { return JoinedReasons(Judge(m)); }
std::vector<Sample> VerdictOneHot(Model m) {
  const Verdict v = Judge(m).verdict;
  std::vector<Sample> out;
  for (Verdict each : {Verdict::kOk, Verdict::kAttention, Verdict::kTrouble}) {
    out.push_back({VerdictName(each), each == v ? 1 : 0, ""});
  }
  return out;
}

// ---- How the HTML page says some values ----

std::string TimeWords(Model m) { return FormatTime(m.now); }
std::string PidWords(Model m) {
  return N(m.server_pid) + ", configuration generation " + N(m.generation);
}
std::string GuardingWords(Model m) {
  return m.guarding ? std::string("yes") : "no (" + m.guarding_reason + ")";
}
std::string ExitsWords(Model m) {
  return N(static_cast<long long>(m.child_exits)) + ", " +
         N(static_cast<long long>(m.child_exits_by_signal)) + " by a signal or crash";
}
std::string CleanupAtWords(Model m) {
  return FormatTime(m.startup.at) + ", took " + N(static_cast<long long>(m.startup.millis + 0.5)) +
         " ms";
}
std::string PreviousOwnerWords(Model m) {
  return m.startup.previous_owner > 0 ? N(m.startup.previous_owner) : "none recorded";
}
std::string CandidatesWords(Model m) {
  return N(m.startup.candidates) + ", " + N(m.startup.adopted) + " removed";
}
std::string HostSetsWords(Model m) {
  return N(m.table.sets_in_use) + " of " + N(m.table.sets_limit) + " (SEMMNI)";
}
std::string HostSemsWords(Model m) {
  return N(m.table.sems_in_use) + " of " + N(m.table.sems_limit) + " (SEMMNS)";
}
std::string LeakedWords(Model m) {
  if (m.leaked_sets < 0) return "not counted yet";
  return N(m.leaked_sets) + " (counted " + FormatTime(m.leaked_at) + ")";
}
std::string StopsLeftWords(Model m) {
  if (m.unclean_stops_left < 0) return "unknown (this server made no set)";
  return N(m.unclean_stops_left);
}

// ---- Figures in parts ----

std::vector<Sample> SetsByType(Model m) {
  std::vector<Sample> out;
  for (const auto& [type, n] : m.server_sets_by_type) out.push_back({type, n, ""});
  return out;
}
std::vector<Sample> SetsByOwner(Model m) {
  std::vector<Sample> out;
  for (const auto& [uid, n] : m.sets_by_owner) {
    auto name = m.owner_names.find(uid);
    out.push_back({N(uid), n, name != m.owner_names.end() ? name->second : ""});
  }
  return out;
}

long long StopsLeft(Model m) { return m.unclean_stops_left; }
long long SemsInUse(Model m) { return m.table.sems_in_use; }
long long SemsLimit(Model m) { return m.table.sems_limit; }
const char kStopsLeftHelp[] =
    "Unclean stops of this server (kill -9, a crash: each leaves its sets behind) left before "
    "the semaphore table is full and a start fails.";

// Rows that differ from the plain case in one optional field.
Figure WithWords(Figure f, std::string (*words)(Model)) {
  f.words = words;
  return f;
}
Figure Unknowable(Figure f) {
  f.may_be_unknown = true;
  return f;
}

}  // namespace

const std::vector<Figure>& Figures() {
  static const std::vector<Figure> kFigures = {
      {kVerdictLine, "Verdict", "verdict", "Verdict", nullptr, nullptr, nullptr, kText, None,
       VerdictWord},
      {kVerdictLine, "Why", "verdict_reason", "VerdictReason", nullptr, nullptr, nullptr, kText,
       None, VerdictWhy},
      {kVerdictLine, nullptr, nullptr, nullptr, "verdict", kGauge,
       "The page's verdict, one sample per state (OK, attention, trouble): 1 for the state it "
       "gives now, 0 for the others.",
       kNumber, None, nullptr, nullptr, VerdictOneHot, "verdict"},
      WithWords({kPageList, "Current Time", "time", nullptr, nullptr, nullptr, nullptr, kNumber,
                 [](Model m) -> long long { return m.now; }},
                TimeWords),
      WithWords({kServer, "Server pid", "pid", nullptr, nullptr, nullptr, nullptr, kNumber,
                 [](Model m) -> long long { return m.server_pid; }},
                PidWords),
      {kServer, nullptr, "generation", nullptr, nullptr, nullptr, nullptr, kNumber,
       [](Model m) -> long long { return m.generation; }},
      {kServer, "This server's semaphore sets", "sets_total", "ServerSets", "server_sets", kGauge,
       "Semaphore sets this server created that still exist, by mutex type.", kNumber,
       [](Model m) -> long long { return m.server_sets_present; }, nullptr, nullptr, SetsByType,
       "type", nullptr, "sets_by_type"},
      WithWords({kServer, "Child exits", "child_exits", "ChildExits", "child_exits_total",
                 kCounter, "Child processes of this server that exited.", kNumber,
                 [](Model m) { return static_cast<long long>(m.child_exits); }},
                ExitsWords),
      {kServer, nullptr, "child_exits_by_signal", "ChildExitsBySignal",
       "child_exits_by_signal_total", kCounter,
       "Child processes that exited without a clean shutdown (killed by a signal or crashed).",
       kNumber, [](Model m) { return static_cast<long long>(m.child_exits_by_signal); }},
      {kServer, "Sets that vanished under this server", "vanished_sets", "VanishedSets",
       "vanished_sets_total", kCounter, "Recorded sets that were removed under this live server.",
       kNumber, [](Model m) { return static_cast<long long>(m.vanished_sets); }},
      {kLastStart, nullptr, "cleanup_ran", "StartupCleanupRan", "startup_cleanup_ran", kGauge,
       "1 when the startup cleanup ran in this server's life, else 0.", kFlag,
       [](Model m) -> long long { return m.startup.ran; }},
      WithWords({kLastStart, "Cleanup at", "at", nullptr, nullptr, nullptr, nullptr, kNumber,
                 [](Model m) -> long long { return m.startup.at; }},
                CleanupAtWords),
      WithWords({kLastStart, "Previous owner pid", "previous_owner_pid", "PreviousOwnerPid",
                 nullptr, nullptr, nullptr, kNumber,
                 [](Model m) -> long long { return m.startup.previous_owner; }},
                PreviousOwnerWords),
      {kLastStart, "Leftover sets removed", "removed", "StartupRemoved", "startup_removed_sets",
       kGauge, "Leftover sets of the previous run removed at the last start.", kNumber,
       [](Model m) -> long long { return m.startup.removed; }},
      {kLastStart, "Leftover sets skipped", "skipped", "StartupSkipped", "startup_skipped_sets",
       kGauge, "Leftover sets of the previous run kept at the last start.", kNumber,
       [](Model m) -> long long { return m.startup.skipped; }},
      WithWords({kLastStart, "Adoption candidates found", "adoption_candidates",
                 "AdoptionCandidates", "adoption_candidates", kGauge,
                 "Httpd-shaped leftovers no ledger knows, found at the last start.", kNumber,
                 [](Model m) -> long long { return m.startup.candidates; }},
                CandidatesWords),
      {kLastStart, nullptr, "adopted", nullptr, nullptr, nullptr, nullptr, kNumber,
       [](Model m) -> long long { return m.startup.adopted; }},
      {kLastStart, nullptr, "cleanup_ms", "StartupCleanupMillis", "startup_cleanup_seconds",
       kGauge, "How long the last start's cleanup took.", kNumber,
       [](Model m) { return static_cast<long long>(m.startup.millis + 0.5); }, nullptr,
       [](Model m) { return m.startup.millis / 1000.0; }},
      WithWords({kHost, "Host semaphore sets", "sets", "SystemSets", "system_sets", kGauge,
                 "Semaphore sets in use on the host (its IPC namespace).", kNumber,
                 [](Model m) -> long long { return m.table.sets_in_use; }},
                HostSetsWords),
      {kHost, nullptr, "sets_limit", "SystemSetsLimit", "system_sets_limit", kGauge,
       "The kernel's limit on semaphore sets (SEMMNI).", kNumber,
       [](Model m) -> long long { return m.table.sets_limit; }},
      WithWords({kHost, "Host semaphores", "sems", "SystemSems", "system_sems", kGauge,
                 "Semaphores in use on the host.", kNumber, SemsInUse},
                HostSemsWords),
      {kHost, nullptr, "sems_limit", "SystemSemsLimit", "system_sems_limit", kGauge,
       "The kernel's limit on semaphores (SEMMNS).", kNumber, SemsLimit},
      {kHost, nullptr, nullptr, nullptr, "system_sets_by_owner", kGauge,
       "Semaphore sets in use on the host, by owner uid (and user name, when it has one).",
       kNumber, None, nullptr, nullptr, SetsByOwner, "owner", "user", "sets_by_owner"},
      {kHost, nullptr, "scanned_at", nullptr, nullptr, nullptr, nullptr, kNumber,
       [](Model m) -> long long { return m.scanned_at; }},
      Unknowable(WithWords(
          {kHost, "Sets that look leaked", "leaked_sets", "LeakedSets", "leaked_sets", kGauge,
           "Httpd-shaped sets that look leaked: free, last user dead, in no live ledger.",
           kNumber, [](Model m) -> long long { return m.leaked_sets; }},
          LeakedWords)),
      {kHost, nullptr, "leaked_at", nullptr, nullptr, nullptr, nullptr, kNumber,
       [](Model m) -> long long { return m.leaked_at; }},
      Unknowable(WithWords({kHost, "Unclean stops left before the table is full",
                            "unclean_stops_left", "UncleanStopsLeft", "unclean_stops_left",
                            kGauge, kStopsLeftHelp, kNumber, StopsLeft},
                           StopsLeftWords)),
      // Deprecated aliases of the row above, its names before 2026-12 (docs/status-page.md).
      Unknowable({kHost, nullptr, "headroom_restarts", "HeadroomRestarts", "headroom_restarts",
                  kGauge, "Deprecated: the same as semguard_unclean_stops_left.", kNumber,
                  StopsLeft}),
      {kHost, nullptr, "near_limit", nullptr, nullptr, nullptr, nullptr, kFlag,
       [](Model m) -> long long { return NearLimit(m); }},
      WithWords({kServer, "Guarding", "guarding", "Guarding", "guarding", kGauge,
                 "1 when this server holds its instance lock and records its sets; 0 when it "
                 "does not (SemGuard Off, or it serves unguarded: see guarding_reason on ?json "
                 "and the HTML page).",
                 kFlag, [](Model m) -> long long { return m.guarding; }},
                GuardingWords),
      {kServer, nullptr, "guarding_reason", nullptr, nullptr, nullptr, nullptr, kText, None,
       [](Model m) { return m.guarding_reason; }},
      {kServer, nullptr, "enabled", "Enabled", "enabled", kGauge, "1 unless SemGuard Off.", kFlag,
       [](Model m) -> long long { return m.enabled; }},
  };
  return kFigures;
}

std::string PlainValue(const Figure& f, Model m) {
  if (f.kind != Kind::kText) return std::to_string(f.value(m));
  std::string text = f.words(m);
  for (char& c : text) c = c == '\n' || c == '\r' ? ' ' : c;  // one ?auto line
  return text;
}

}  // namespace semguard
