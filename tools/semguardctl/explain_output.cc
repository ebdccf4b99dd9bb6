#include "semguardctl/explain_output.h"

#include "semguardctl/json_writer.h"
#include "semguardctl/list_output.h"

namespace semguardctl {

std::string FormatRule(const RuleLine& r) {
  return std::string(r.pass ? "  pass  " : "  FAIL  ") + r.rule + ": " + r.reason + "\n";
}

std::string ExplainText(const Explanation& e, const HostView& v, const SetView* s) {
  if (!e.exists) return "semaphore set " + std::to_string(e.semid) + ": not in the table\n";
  std::string out = "semaphore set " + std::to_string(e.semid) + " (" +
                    OwnerText(s->set.uid, s->set.gid) + ", " + MarkName(s->mark) +
                    "): " + SetDescription(v, *s) + "\n";
  out += e.path == "recorded" ? "rules of the cleanup of its ledger:\n"
                              : "rules of adoption (sets no ledger records):\n";
  for (const RuleLine& r : e.rules) out += FormatRule(r);
  out += std::string("verdict: ") + (e.would_remove ? "would be removed by " : "kept: ") + e.how +
         "\n";
  return out;
}

std::string ExplainJson(const Explanation& e, const HostView& v, const SetView* s) {
  JsonWriter w;
  w.BeginObject().Field("version", 1).Field("command", "explain").Field("semid", e.semid);
  w.Field("exists", e.exists);
  if (s != nullptr) {
    w.Key("set");
    WriteSetJson(v, *s, &w);
  }
  w.Field("path", e.path).Key("rules").BeginArray();
  for (const RuleLine& r : e.rules) {
    w.BeginObject()
        .Field("rule", r.rule)
        .Field("pass", r.pass)
        .Field("reason", r.reason)
        .EndObject();
  }
  w.EndArray().Field("would_remove", e.would_remove).Field("how", e.how).EndObject();
  return w.text();
}

}  // namespace semguardctl
