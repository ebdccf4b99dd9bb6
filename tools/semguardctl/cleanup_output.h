// `semguardctl cleanup`'s report, as text and JSON: the core's log lines and its figures.
#pragma once

#include <string>
#include <vector>

#include "base/log_sink.h"
#include "cleanup/cleanup.h"

namespace semguardctl {

struct LoggedLine {
  semguard::Level level;
  std::string tag;
  std::string message;
};

struct CleanupOutcome {
  std::string ledger;
  bool ledger_found = true;  // false: no ledger at that path, adoption only
  bool dry_run = false;
  semguard::AdoptMode adopt = semguard::AdoptMode::kReport;
  semguard::CleanupReport report;
  std::vector<LoggedLine> lines;
};

const char* LevelName(semguard::Level level);
const char* AdoptName(semguard::AdoptMode mode);
std::string CleanupText(const CleanupOutcome& o);
std::string CleanupJson(const CleanupOutcome& o);

}  // namespace semguardctl
