#include "config/settings.h"

#include <strings.h>

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
  Status st = ParseKeyword("SemGuardAdopt", value, {"Off", "Report", "Remove"}, &choice);
  if (st.ok()) *mode = choice == 0 ? AdoptMode::kOff : choice == 1 ? AdoptMode::kReport : AdoptMode::kRemove;
  return st;
}

Status ParseLedgerPath(std::string_view value) {
  if (value.empty()) return Status::Invalid("SemGuardLedger: the path is empty");
  if (value.size() > 3000) return Status::Invalid("SemGuardLedger: the path is longer than 3000 bytes");
  if (value.back() == '/') {
    return Status::Invalid("SemGuardLedger: '" + Printable(value) + "' names a directory; give a file name");
  }
  // Other instances recognise this one's lock ("<ledger>.lock") by that ending.
  constexpr std::string_view kSuffix = ".ledger";
  if (value.size() <= kSuffix.size() || value.substr(value.size() - kSuffix.size()) != kSuffix) {
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

}  // namespace semguard
