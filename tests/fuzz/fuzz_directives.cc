// Fuzz target: the SemGuard* directives, as the façade's sg_directive applies them
// (ApplyDirective in config/settings.h), and each value parser on its own.
//
// Input: the first byte picks the directive name (SemGuard, SemGuardLedger, SemGuardCleanup,
// SemGuardAdopt, a name in other case, an unknown name); the rest is the value.
//
// Properties, beyond "no crash and no sanitizer report":
// - SemGuard, SemGuardCleanup and SemGuardAdopt accept a value exactly when it is one of their
//   keywords in any case, and the keyword they map it to reads back to the same setting;
// - SemGuardLedger accepts exactly the paths its rules describe (non-empty, at most 3000 bytes,
//   ends in ".ledger" after a name, not in '/', no CR, LF or NUL), and the path it keeps is
//   absolute, folded (no empty, "." or ".." step: AbsolutePath is idempotent on it) and still
//   ends in ".ledger", which is how other instances recognise its lock;
// - a refused directive changes no setting, and its sentence is printable ASCII, names the
//   directive and fits the façade's SG_ERRLEN.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "config/settings.h"
#include "fuzz_check.h"
#include "semguard.h"

using semguard::Settings;
using semguard::Status;

namespace {

const char* const kNames[] = {"SemGuard", "SemGuardLedger", "SemGuardCleanup", "SemGuardAdopt",
                              "semguardLEDGER", "SemGuardBogus"};
const char* const kRoots[] = {"/etc/apache2", "/srv/./www//root/", "/", "/a/b/../c"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) return false;
  }
  return true;
}

// Which keyword `value` is (its index), or -1.
int KeywordIndex(std::string_view value, std::initializer_list<std::string_view> words) {
  int i = 0;
  for (std::string_view w : words) {
    if (EqualsIgnoreCase(value, w)) return i;
    ++i;
  }
  return -1;
}

bool SameSettings(const Settings& a, const Settings& b) {
  return a.enabled == b.enabled && a.ledger_path == b.ledger_path && a.cleanup == b.cleanup &&
         a.adopt == b.adopt && a.user == b.user && a.group == b.group;
}

void CheckRefusal(const Status& st, std::string_view directive) {
  FUZZ_CHECK(st.code() == Status::Code::kInvalid, st.message());
  FUZZ_CHECK(st.message().find(std::string(directive)) != std::string::npos, st.message());
  FUZZ_CHECK(IsPrintableAscii(st.message()), st.message());
  FUZZ_CHECK(st.message().size() < SG_ERRLEN, "longer than SG_ERRLEN");
}

void CheckKeywordParsers(const std::string& value) {
  bool enabled = false;
  Status st = semguard::ParseSemGuard(value, &enabled);
  int k = KeywordIndex(value, {"On", "Off"});
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuard verdict on '" + value + "': " + st.message());
  if (st.ok()) {
    FUZZ_CHECK(enabled == (k == 0), "SemGuard maps to the wrong setting");
    bool again = !enabled;
    FUZZ_CHECK(semguard::ParseSemGuard(enabled ? "On" : "Off", &again).ok() && again == enabled,
               "SemGuard keyword does not read back");
  } else {
    CheckRefusal(st, "SemGuard");
  }

  // SemGuardCleanup On|Report|Off, in the enum's order.
  semguard::CleanupMode cleanup = semguard::CleanupMode::kOn;
  st = semguard::ParseCleanupMode(value, &cleanup);
  k = KeywordIndex(value, {"On", "Report", "Off"});
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuardCleanup verdict on '" + value + "': " + st.message());
  if (st.ok()) {
    FUZZ_CHECK(static_cast<int>(cleanup) == k, "SemGuardCleanup maps to the wrong setting");
    static const char* const kWords[] = {"On", "Report", "Off"};
    semguard::CleanupMode again = semguard::CleanupMode::kOff;
    FUZZ_CHECK(semguard::ParseCleanupMode(kWords[k], &again).ok() && again == cleanup,
               "SemGuardCleanup keyword does not read back");
  } else {
    CheckRefusal(st, "SemGuardCleanup");
  }

  // SemGuardAdopt Off|Report|Remove|Auto, in the enum's order.
  semguard::AdoptMode adopt = semguard::AdoptMode::kOff;
  st = semguard::ParseAdoptMode(value, &adopt);
  k = KeywordIndex(value, {"Off", "Report", "Remove", "Auto"});
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuardAdopt verdict on '" + value + "': " + st.message());
  if (st.ok()) {
    FUZZ_CHECK(static_cast<int>(adopt) == k, "SemGuardAdopt maps to the wrong setting");
    static const char* const kWords[] = {"Off", "Report", "Remove", "Auto"};
    semguard::AdoptMode again = semguard::AdoptMode::kOff;
    FUZZ_CHECK(semguard::ParseAdoptMode(kWords[k], &again).ok() && again == adopt,
               "SemGuardAdopt keyword does not read back");
  } else {
    CheckRefusal(st, "SemGuardAdopt");
  }
}

bool LedgerRules(std::string_view v) {
  constexpr std::string_view kSuffix = ".ledger";
  return !v.empty() && v.size() <= 3000 && v.back() != '/' && v.size() > kSuffix.size() &&
         v.substr(v.size() - kSuffix.size()) == kSuffix &&
         v.find_first_of(std::string_view("\n\r\0", 3)) == std::string_view::npos;
}

void CheckLedgerPath(const std::string& value, const Settings& applied, const Status& st) {
  FUZZ_CHECK(st.ok() == LedgerRules(value), "SemGuardLedger verdict on '" + value + "'");
  FUZZ_CHECK(st.ok() == semguard::ParseLedgerPath(value).ok(), "ApplyDirective and the parser");
  if (!st.ok()) return;
  const std::string& kept = applied.ledger_path;
  FUZZ_CHECK(!kept.empty() && kept[0] == '/', "not absolute: " + kept);
  FUZZ_CHECK(kept.size() >= 8 && kept.compare(kept.size() - 7, 7, ".ledger") == 0,
             "'" + value + "' kept as '" + kept + "', which does not end in .ledger");
  FUZZ_CHECK(kept.find("//") == std::string::npos && kept.find("/./") == std::string::npos &&
                 kept.find("/../") == std::string::npos,
             "not folded: " + kept);
  FUZZ_CHECK(semguard::AbsolutePath("/elsewhere", kept) == kept, "folding again changed " + kept);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* name = kNames[data[0] % 6];
  const char* root = kRoots[(data[0] / 6) % 4];
  const std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);

  CheckKeywordParsers(value);

  const Settings before;
  Settings applied;
  Status st = semguard::ApplyDirective(name, value, root, &applied);
  if (!st.ok()) {
    FUZZ_CHECK(SameSettings(before, applied), "a refused directive changed a setting");
    CheckRefusal(st, EqualsIgnoreCase(name, "SemGuardBogus") ? "SemGuardBogus" : "SemGuard");
  }
  if (EqualsIgnoreCase(name, "SemGuardLedger")) CheckLedgerPath(value, applied, st);
  if (EqualsIgnoreCase(name, "SemGuardBogus")) FUZZ_CHECK(!st.ok(), "an unknown name applied");
  return 0;
}
