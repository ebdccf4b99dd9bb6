#include "semguardctl/check_state.h"

#include "semguardctl/json_writer.h"
#include "semguardctl/list_output.h"

namespace semguardctl {
namespace {

struct TableFigures {
  long sets, sets_limit, sems, sems_limit;
};

}  // namespace

const char* PluginWord(int code) {
  switch (code) {
    case kOk:
      return "OK";
    case kWarning:
      return "WARNING";
    case kCritical:
      return "CRITICAL";
    default:
      break;
  }
  return "UNKNOWN";
}

std::string CheckResult::Line() const {
  return std::string("SEMGUARD ") + PluginWord(code) + " - " + summary +
         (perfdata.empty() ? "" : " | " + perfdata) + "\n";
}

CheckResult EvaluateCheck(const HostView& v, const Threshold& warn_free,
                          const Threshold& crit_free) {
  CheckResult r;
  if (!v.table_status.ok()) {
    r.summary = "cannot read the semaphore table: " + v.table_status.message();
    return r;
  }
  std::string unreadable;
  for (const LedgerView& l : v.ledgers) {
    if (l.status.ok() || l.status.code() == semguard::Status::Code::kNotFound) continue;
    ++r.unreadable_ledgers;
    unreadable += (unreadable.empty() ? "" : "; ") + l.status.message();
  }
  for (const SetView& s : v.sets) {
    if (s.mark == Mark::kLeftover) ++r.leftovers;
    if (s.mark == Mark::kCandidate) ++r.candidates;
  }
  const TableFigures t{v.info.sets_in_use, v.info.sets_limit, v.info.sems_in_use,
                       v.info.sems_limit};
  r.free_sets = t.sets_limit - t.sets;
  r.free_sems = t.sems_limit - t.sems;
  r.warn_sets = ThresholdCount(warn_free, t.sets_limit);
  r.crit_sets = ThresholdCount(crit_free, t.sets_limit);
  r.warn_sems = ThresholdCount(warn_free, t.sems_limit);
  r.crit_sems = ThresholdCount(crit_free, t.sems_limit);

  std::string why;
  if (r.free_sets < r.crit_sets || r.free_sems < r.crit_sems) {
    r.code = kCritical;
    why = "semaphore table nearly full";
  } else if (r.free_sets < r.warn_sets || r.free_sems < r.warn_sems) {
    r.code = kWarning;
    why = "semaphore table filling up";
  } else {
    r.code = kOk;
  }
  if (r.code == kOk && (r.leftovers > 0 || r.candidates > 0)) r.code = kWarning;
  if (r.leftovers > 0 || r.candidates > 0) {
    why += std::string(why.empty() ? "" : "; ") + "leftovers to clean";
  }
  // A ledger that cannot be read hides what it records: no verdict can be given.
  if (r.unreadable_ledgers > 0) {
    r.code = kUnknown;
    why = "cannot read " + std::to_string(r.unreadable_ledgers) + " ledger(s): " + unreadable;
  }
  r.summary = (why.empty() ? "" : why + ": ") + std::to_string(t.sets) + " of " +
              std::to_string(t.sets_limit) + " sets in use (" + std::to_string(r.free_sets) +
              " free), " + std::to_string(t.sems) + " of " + std::to_string(t.sems_limit) +
              " semaphores; " + std::to_string(r.leftovers) +
              " leftover set(s) of dead instances, " + std::to_string(r.candidates) +
              " adoption candidate(s)";
  // Thresholds as Nagios ranges on the used count: alert above limit - free threshold.
  auto perf = [](const std::string& label, long used, long warn, long crit, long max) {
    return label + "=" + std::to_string(used) + ";" + std::to_string(warn) + ";" +
           std::to_string(crit) + ";0;" + std::to_string(max);
  };
  r.perfdata =
      perf("sets", t.sets, t.sets_limit - r.warn_sets, t.sets_limit - r.crit_sets, t.sets_limit) +
      " " +
      perf("sems", t.sems, t.sems_limit - r.warn_sems, t.sems_limit - r.crit_sems, t.sems_limit) +
      " leftovers=" + std::to_string(r.leftovers) + ";0;;0" +
      " candidates=" + std::to_string(r.candidates) + ";0;;0";
  return r;
}

std::string CheckJson(const CheckResult& r, const HostView& v) {
  JsonWriter w;
  w.BeginObject()
      .Field("version", 1)
      .Field("command", "check")
      .Field("code", r.code)
      .Field("status", PluginWord(r.code))
      .Field("summary", r.summary)
      .Field("perfdata", r.perfdata)
      .Field("sets", v.info.sets_in_use)
      .Field("sets_limit", v.info.sets_limit)
      .Field("sems", v.info.sems_in_use)
      .Field("sems_limit", v.info.sems_limit)
      .Field("free_sets", r.free_sets)
      .Field("warn_free_sets", r.warn_sets)
      .Field("crit_free_sets", r.crit_sets)
      .Field("leftovers", r.leftovers)
      .Field("candidates", r.candidates)
      .Field("unreadable_ledgers", r.unreadable_ledgers);
  w.Key("ledgers").BeginArray();
  for (const LedgerView& l : v.ledgers) WriteLedgerJson(l, &w);
  w.EndArray().EndObject();
  return w.text();
}

}  // namespace semguardctl
