// The module's policy values and one pure parser per SemGuard* directive. Each parser returns a
// Status whose message is the sentence httpd shows for a bad value.
#pragma once

#include <string>
#include <string_view>

#include "cleanup/cleanup_policy.h"
#include "base/status.h"

namespace semguard {

struct Settings {
  bool enabled = true;                        // SemGuard
  std::string ledger_path;                    // SemGuardLedger, made absolute by the glue
  CleanupMode cleanup = CleanupMode::kOn;     // SemGuardCleanup
  AdoptMode adopt = AdoptMode::kReport;       // SemGuardAdopt
  uid_t user = 0;                             // httpd's User and Group, which own its sets
  gid_t group = 0;
};

Status ParseSemGuard(std::string_view value, bool* enabled);
Status ParseCleanupMode(std::string_view value, CleanupMode* mode);
Status ParseAdoptMode(std::string_view value, AdoptMode* mode);
Status ParseLedgerPath(std::string_view value);

// Chooses among a directive's keywords, case-insensitively as httpd does for On/Off.
// The error names the directive, the value and every accepted keyword.
Status ParseKeyword(std::string_view directive, std::string_view value,
                    std::initializer_list<std::string_view> accepted, size_t* index);

}  // namespace semguard
