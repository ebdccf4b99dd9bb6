// The module's configuration, in one place: the policy values with their defaults, one pure
// parser per SemGuard* directive (each returns the sentence httpd shows for a bad value), the
// directives keyed by name, and the paths derived from httpd's (config file, default ledger).
#pragma once

#include <string>
#include <string_view>

#include "cleanup/cleanup_policy.h"
#include "base/status.h"

namespace semguard {

struct Settings {
  bool enabled = true;                        // SemGuard
  std::string ledger_path;                    // SemGuardLedger, absolute; "" until given
  CleanupMode cleanup = CleanupMode::kOn;     // SemGuardCleanup
  AdoptMode adopt = AdoptMode::kAuto;         // SemGuardAdopt
  uid_t user = 0;                             // httpd's User and Group, which own its sets
  gid_t group = 0;
};

Status ParseSemGuard(std::string_view value, bool* enabled);
Status ParseCleanupMode(std::string_view value, CleanupMode* mode);
Status ParseAdoptMode(std::string_view value, AdoptMode* mode);
Status ParseLedgerPath(std::string_view value);

// Applies the directive `name` (SemGuard, SemGuardLedger, SemGuardCleanup, SemGuardAdopt) to
// `settings`. A relative SemGuardLedger is taken under `server_root`. Invalid for an unknown name.
Status ApplyDirective(std::string_view name, std::string_view value,
                      const std::string& server_root, Settings* settings);

// `path` made absolute under `base`, with "." and ".." steps and doubled slashes folded, as
// httpd's ap_server_root_relative does on Unix (lexically; symbolic links are not followed).
std::string AbsolutePath(const std::string& base, const std::string& path);

// The config file httpd reads: the last -f of its command line ("-f file" or "-ffile"), else
// `default_config`, under `server_root`.
std::string ConfigFileOf(int argc, const char* const* argv, const std::string& default_config,
                         const std::string& server_root);

// Where the ledger goes without SemGuardLedger: in httpd's runtime directory, named for this
// ServerRoot and config file (DefaultLedgerName), so that every instance has its own. Both are
// taken canonical (CanonicalPath): one config file reached through a symlink is one instance.
std::string DefaultLedgerPath(const std::string& runtime_dir, const std::string& server_root,
                              const std::string& config_file);

// Chooses among a directive's keywords, case-insensitively as httpd does for On/Off.
// The error names the directive, the value and every accepted keyword.
Status ParseKeyword(std::string_view directive, std::string_view value,
                    std::initializer_list<std::string_view> accepted, size_t* index);

}  // namespace semguard
