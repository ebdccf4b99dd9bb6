#include "config/settings.h"

#include <strings.h>

#include <vector>

#include "base/file_names.h"
#include "ledger/ledger_file.h"
#include "os/file_system.h"

namespace semguard {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string Printable(std::string_view value) {
  std::string out;
  for (char c : value.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

Status ParseKeyword(std::string_view directive, std::string_view value,
                    std::initializer_list<std::string_view> accepted, size_t* index) {
  size_t i = 0;
  std::string choices;
  for (std::string_view word : accepted) {
    if (EqualsIgnoreCase(word, value)) {
      *index = i;
      return Status::Ok();
    }
    choices += (i == 0 ? "" : (i + 1 == accepted.size() ? " or " : ", ")) + std::string(word);
    ++i;
  }
  return Status::Invalid(std::string(directive) + ": '" + Printable(value) +
                         "' is not valid; use " + choices);
}

Status ParseSemGuard(std::string_view value, bool* enabled) {
  size_t choice = 0;
  Status st = ParseKeyword("SemGuard", value, {"On", "Off"}, &choice);
  if (st.ok()) *enabled = choice == 0;
  return st;
}

Status ParseCleanupMode(std::string_view value, CleanupMode* mode) {
  size_t choice = 0;
  Status st = ParseKeyword("SemGuardCleanup", value, {"On", "Report", "Off"}, &choice);
  if (st.ok()) *mode = choice == 0 ? CleanupMode::kOn : choice == 1 ? CleanupMode::kReport : CleanupMode::kOff;
  return st;
}

Status ParseAdoptMode(std::string_view value, AdoptMode* mode) {
  size_t choice = 0;
  static const AdoptMode kModes[] = {AdoptMode::kOff, AdoptMode::kReport, AdoptMode::kRemove,
                                      AdoptMode::kAuto};
  Status st = ParseKeyword("SemGuardAdopt", value, {"Off", "Report", "Remove", "Auto"}, &choice);
  if (st.ok()) *mode = kModes[choice];
  return st;
}

Status ParseLedgerPath(std::string_view value) {
  if (value.empty()) return Status::Invalid("SemGuardLedger: the path is empty");
  if (value.size() > 3000) return Status::Invalid("SemGuardLedger: the path is longer than 3000 bytes");
  if (value.back() == '/') {
    return Status::Invalid("SemGuardLedger: '" + Printable(value) + "' names a directory; give a file name");
  }
  // Other instances recognise this one's lock ("<ledger>.lock") by that ending.
  if (value.size() <= kLedgerEnding.size() || !EndsWith(value, kLedgerEnding)) {
    return Status::Invalid("SemGuardLedger: '" + Printable(value) +
                           "' must end in .ledger, so that other instances recognise its lock");
  }
  for (char c : value) {
    if (c == '\n' || c == '\r' || c == '\0') {
      return Status::Invalid("SemGuardLedger: the path contains a control character");
    }
  }
  return Status::Ok();
}

namespace {

using DirectiveParser = Status (*)(std::string_view value, const std::string& server_root,
                                   Settings* settings);

// The SemGuard* directives: a new one is a row here and its parser above.
struct DirectiveRow {
  std::string_view name;
  DirectiveParser apply;
};

const DirectiveRow kDirectives[] = {
    {"SemGuard",
     [](std::string_view v, const std::string&, Settings* s) {
       return ParseSemGuard(v, &s->enabled);
     }},
    {"SemGuardLedger",
     [](std::string_view v, const std::string& root, Settings* s) {
       Status st = ParseLedgerPath(v);
       if (st.ok()) s->ledger_path = AbsolutePath(root, std::string(v));
       return st;
     }},
    {"SemGuardCleanup",
     [](std::string_view v, const std::string&, Settings* s) {
       return ParseCleanupMode(v, &s->cleanup);
     }},
    {"SemGuardAdopt",
     [](std::string_view v, const std::string&, Settings* s) {
       return ParseAdoptMode(v, &s->adopt);
     }},
};

}  // namespace

Status ApplyDirective(std::string_view name, std::string_view value,
                      const std::string& server_root, Settings* settings) {
  for (const DirectiveRow& row : kDirectives) {
    if (EqualsIgnoreCase(row.name, name)) return row.apply(value, server_root, settings);
  }
  return Status::Invalid("mod_semguard has no directive " + Printable(name));
}

std::string AbsolutePath(const std::string& base, const std::string& path) {
  const std::string joined = !path.empty() && path[0] == '/' ? path : base + "/" + path;
  std::vector<std::string> steps;
  size_t at = 0;
  while (at <= joined.size()) {
    size_t slash = joined.find('/', at);
    if (slash == std::string::npos) slash = joined.size();
    std::string step = joined.substr(at, slash - at);
    if (step == "..") {
      if (!steps.empty()) steps.pop_back();
    } else if (!step.empty() && step != ".") {
      steps.push_back(step);
    }
    at = slash + 1;
  }
  std::string out;
  for (const std::string& step : steps) out += "/" + step;
  return out.empty() ? "/" : out;
}

std::string ConfigFileOf(int argc, const char* const* argv, const std::string& default_config,
                         const std::string& server_root) {
  // httpd's getopt: "-f file" or "-ffile"; the last one wins.
  const char* found = nullptr;
  for (int i = 1; argv != nullptr && i < argc; ++i) {
    const char* a = argv[i];
    if (a == nullptr || a[0] != '-' || a[1] != 'f') continue;
    if (a[2] != '\0') {
      found = a + 2;
    } else if (i + 1 < argc) {
      found = argv[++i];
    }
  }
  return AbsolutePath(server_root, found != nullptr ? found : default_config);
}

std::string DefaultLedgerPath(const std::string& runtime_dir, const std::string& server_root,
                              const std::string& config_file) {
  // Canonical, so that one config file reached through a symlinked path is one instance.
  return AbsolutePath(runtime_dir,
                      DefaultLedgerName(CanonicalPath(server_root), CanonicalPath(config_file)));
}

}  // namespace semguard
