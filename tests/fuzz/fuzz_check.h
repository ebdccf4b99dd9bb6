// What every fuzz target uses to state a property: a failed property aborts with its text, so
// libFuzzer keeps the input as a crash reproducer just as it does for a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, what)                                                          \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "property failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__,  \
                   #cond, std::string(what).c_str());                                   \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

// True when every byte of `text` is printable ASCII: messages reach logs and HTTP bodies.
inline bool IsPrintableAscii(const std::string& text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
