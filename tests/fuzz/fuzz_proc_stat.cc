// Fuzz target: /proc/PID/stat parsing (ParseProcStat), which decides who a pid is now.
//
// Properties, beyond "no crash and no sanitizer report":
// - a line as the kernel writes it, with any command name (spaces, ')' , digits, newlines: a
//   process names itself), parses to exactly the state, ppid, session and start time written;
// - any text that parses gives a state that is the first field after the last ')'.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_check.h"
#include "os/proc_identity.h"

using semguard::ProcStat;
using semguard::Status;

namespace {

void CheckAnyText(const std::string& text) {
  ProcStat st;
  Status parsed = semguard::ParseProcStat(text, &st);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.code() == Status::Code::kCorrupt, parsed.message());
    return;
  }
  std::istringstream after(text.substr(text.rfind(')') + 1));
  std::string state;
  after >> state;
  FUZZ_CHECK(!state.empty() && st.state == state[0], "state is not the field after ')'");
}

void CheckKernelLine(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::string comm = in.ConsumeRandomLengthString(64);  // the kernel keeps 15, tests more
  for (char& c : comm) {
    if (c == '\0') c = ')';
  }
  static const char kStates[] = "RSDZTtWXxKPI";
  ProcStat want;
  want.state = kStates[in.ConsumeIntegralInRange<size_t>(0, sizeof(kStates) - 2)];
  want.ppid = in.ConsumeIntegralInRange<pid_t>(0, 4194304);
  pid_t pgrp = in.ConsumeIntegralInRange<pid_t>(0, 4194304);
  want.session = in.ConsumeIntegralInRange<pid_t>(0, 4194304);
  want.start_time = in.ConsumeIntegral<uint64_t>();
  std::string line = std::to_string(in.ConsumeIntegralInRange<pid_t>(1, 4194304)) + " (" + comm +
                     ") " + want.state + " " + std::to_string(want.ppid) + " " +
                     std::to_string(pgrp) + " " + std::to_string(want.session);
  // Fields 7 to 21 (tty_nr .. itrealvalue): some are negative, e.g. tpgid -1 and nice.
  for (int field = 7; field <= 21; ++field) {
    line += " " + std::to_string(in.ConsumeIntegral<int32_t>());
  }
  line += " " + std::to_string(want.start_time);
  // Linux adds fields after starttime, more with each version.
  size_t extra = in.ConsumeIntegralInRange<size_t>(0, 32);
  for (size_t i = 0; i < extra; ++i) line += " " + std::to_string(in.ConsumeIntegral<uint64_t>());
  line += "\n";

  ProcStat got;
  Status parsed = semguard::ParseProcStat(line, &got);
  FUZZ_CHECK(parsed.ok(), "a kernel line was refused: " + parsed.message() + "\n  " + line);
  FUZZ_CHECK(got.state == want.state && got.ppid == want.ppid && got.session == want.session &&
                 got.start_time == want.start_time,
             "fields misread from: " + line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckAnyText(std::string(reinterpret_cast<const char*>(data), size));
  CheckKernelLine(data, size);
  return 0;
}
