#include "semguardctl/cleanup_output.h"

#include "semguardctl/json_writer.h"

namespace semguardctl {

const char* LevelName(semguard::Level level) {
  static const char* const names[] = {"emerg", "alert",  "crit", "error",
                                      "warn",  "notice", "info", "debug"};
  const int i = static_cast<int>(level);
  return i >= 0 && i < 8 ? names[i] : "debug";
}

const char* AdoptName(semguard::AdoptMode mode) {
  switch (mode) {
    case semguard::AdoptMode::kOff:
      return "off";
    case semguard::AdoptMode::kRemove:
      return "remove";
    case semguard::AdoptMode::kAuto:  // the module's default; the tool never chooses it
      return "auto";
    case semguard::AdoptMode::kReport:
      break;
  }
  return "report";
}

std::string CleanupText(const CleanupOutcome& o) {
  std::string out;
  if (!o.ledger_found) out += "no ledger at " + o.ledger + ": nothing recorded to clean\n";
  for (const LoggedLine& l : o.lines) {
    out += std::string(LevelName(l.level)) + ": " + l.tag + ": " + l.message + "\n";
  }
  const semguard::CleanupReport& r = o.report;
  out += std::string(o.dry_run ? "dry run (nothing removed): " : "") + o.ledger + ": " +
         std::to_string(r.removed) + " removed, " + std::to_string(r.skipped) + " kept, " +
         std::to_string(r.gone) + " already gone; " + std::to_string(r.candidates) +
         " adoption candidate(s), " + std::to_string(r.adopted) + " of them removed\n";
  return out;
}

std::string CleanupJson(const CleanupOutcome& o) {
  const semguard::CleanupReport& r = o.report;
  JsonWriter w;
  w.BeginObject()
      .Field("version", 1)
      .Field("command", "cleanup")
      .Field("ledger", o.ledger)
      .Field("ledger_found", o.ledger_found)
      .Field("dry_run", o.dry_run)
      .Field("adopt", AdoptName(o.adopt))
      .Field("previous_owner_pid", static_cast<long long>(r.previous_owner))
      .Field("removed", r.removed)
      .Field("skipped", r.skipped)
      .Field("gone", r.gone)
      .Field("candidates", r.candidates)
      .Field("adopted", r.adopted);
  w.Key("millis").Double(r.millis);
  w.Key("skips").BeginArray();
  for (const auto& skip : r.skips) {
    w.BeginObject().Field("semid", skip.first).Field("reason", skip.second).EndObject();
  }
  w.EndArray().Key("log").BeginArray();
  for (const LoggedLine& l : o.lines) {
    w.BeginObject()
        .Field("level", LevelName(l.level))
        .Field("tag", l.tag)
        .Field("message", l.message)
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.text();
}

}  // namespace semguardctl
