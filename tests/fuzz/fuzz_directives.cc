// Fuzz target: the SemGuard* directive parsers, in C++ (config/settings.h) and through the C
// façade httpd calls (sg_parse_*, with the caller's error buffer).
//
// Properties, beyond "no crash and no sanitizer report":
// - SemGuard, SemGuardCleanup and SemGuardAdopt accept a value exactly when it is one of their
//   keywords in any case, and the keyword they map it to reads back to the same setting;
// - SemGuardLedger accepts exactly the paths its rules describe (non-empty, at most 3000 bytes,
//   ends in ".ledger" after a name, not in '/', no CR, LF or NUL);
// - a refusal names the directive, is printable ASCII (it goes to the terminal and the log), and
//   the façade copies it NUL-terminated into a buffer of any size without writing past it.
#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "config/settings.h"
#include "fuzz_check.h"
#include "semguard.h"

using semguard::Status;

namespace {

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

void CheckRefusal(const Status& st, std::string_view directive) {
  FUZZ_CHECK(st.code() == Status::Code::kInvalid, st.message());
  FUZZ_CHECK(st.message().compare(0, directive.size(), directive) == 0, st.message());
  FUZZ_CHECK(IsPrintableAscii(st.message()), st.message());
  FUZZ_CHECK(st.message().size() < SG_ERRLEN, "longer than SG_ERRLEN");
}

// The façade's error buffer, exactly `errlen` bytes on the heap so ASan sees any overrun.
void CheckCopied(sg_rc rc, const char* err, size_t errlen, const Status& st) {
  FUZZ_CHECK((rc == SG_OK) == st.ok(), "façade and parser disagree");
  if (st.ok() || errlen == 0) return;
  FUZZ_CHECK(rc == SG_EINVAL, "façade code");
  FUZZ_CHECK(std::memchr(err, '\0', errlen) != nullptr, "error not NUL-terminated");
  FUZZ_CHECK(st.message().compare(0, std::strlen(err), err) == 0, "error text differs");
}

void CheckKeywords(const std::string& value, size_t errlen) {
  // SemGuard On|Off
  bool enabled = false;
  Status st = semguard::ParseSemGuard(value, &enabled);
  int k = KeywordIndex(value, {"On", "Off"});
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuard accepts '" + value + "': " + st.message());
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
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuardCleanup accepts '" + value + "': " + st.message());
  if (st.ok()) {
    FUZZ_CHECK(static_cast<int>(cleanup) == k, "SemGuardCleanup maps to the wrong setting");
    static const char* const kNames[] = {"On", "Report", "Off"};
    semguard::CleanupMode again = semguard::CleanupMode::kOff;
    FUZZ_CHECK(semguard::ParseCleanupMode(kNames[k], &again).ok() && again == cleanup,
               "SemGuardCleanup keyword does not read back");
  } else {
    CheckRefusal(st, "SemGuardCleanup");
  }

  // SemGuardAdopt Off|Report|Remove, in the enum's order.
  semguard::AdoptMode adopt = semguard::AdoptMode::kOff;
  st = semguard::ParseAdoptMode(value, &adopt);
  k = KeywordIndex(value, {"Off", "Report", "Remove"});
  FUZZ_CHECK(st.ok() == (k >= 0), "SemGuardAdopt accepts '" + value + "': " + st.message());
  if (st.ok()) {
    FUZZ_CHECK(static_cast<int>(adopt) == k, "SemGuardAdopt maps to the wrong setting");
  } else {
    CheckRefusal(st, "SemGuardAdopt");
  }

  // The façade receives a C string: the value up to its first NUL.
  const std::string c_value = value.c_str();
  std::unique_ptr<char[]> err(new char[errlen == 0 ? 1 : errlen]);
  int out = -1;
  sg_rc rc = sg_parse_semguard(c_value.c_str(), &out, errlen ? err.get() : nullptr, errlen);
  CheckCopied(rc, err.get(), errlen, semguard::ParseSemGuard(c_value, &enabled));
  rc = sg_parse_cleanup(c_value.c_str(), &out, errlen ? err.get() : nullptr, errlen);
  CheckCopied(rc, err.get(), errlen, semguard::ParseCleanupMode(c_value, &cleanup));
  if (rc == SG_OK) FUZZ_CHECK(out == static_cast<int>(cleanup), "façade cleanup value");
  rc = sg_parse_adopt(c_value.c_str(), &out, errlen ? err.get() : nullptr, errlen);
  CheckCopied(rc, err.get(), errlen, semguard::ParseAdoptMode(c_value, &adopt));
  if (rc == SG_OK) FUZZ_CHECK(out == static_cast<int>(adopt), "façade adopt value");
}

void CheckLedgerPath(const std::string& value, size_t errlen) {
  constexpr std::string_view kSuffix = ".ledger";
  std::string_view v = value;
  bool rules = !v.empty() && v.size() <= 3000 && v.back() != '/' && v.size() > kSuffix.size() &&
               v.substr(v.size() - kSuffix.size()) == kSuffix &&
               v.find_first_of(std::string_view("\n\r\0", 3)) == std::string_view::npos;
  Status st = semguard::ParseLedgerPath(value);
  FUZZ_CHECK(st.ok() == rules, "SemGuardLedger verdict on '" + value + "': " + st.message());
  if (!st.ok()) CheckRefusal(st, "SemGuardLedger");

  const std::string c_value = value.c_str();
  std::unique_ptr<char[]> err(new char[errlen == 0 ? 1 : errlen]);
  sg_rc rc = sg_parse_ledger_path(c_value.c_str(), errlen ? err.get() : nullptr, errlen);
  CheckCopied(rc, err.get(), errlen, semguard::ParseLedgerPath(c_value));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the caller's error buffer: its size when below 0x80 (the seeds use '~',
  // 126 bytes), else SG_ERRLEN as mod_semguard.c passes.
  size_t errlen = size > 0 && data[0] < 0x80 ? data[0] : SG_ERRLEN;
  std::string value(reinterpret_cast<const char*>(data) + (size > 0 ? 1 : 0),
                    size > 0 ? size - 1 : 0);
  CheckKeywords(value, errlen);
  CheckLedgerPath(value, errlen);
  return 0;
}
