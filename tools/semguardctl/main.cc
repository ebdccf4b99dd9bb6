// semguardctl: look at the host's SysV semaphore sets with mod_semguard's eyes, and clean up
// after a stopped server with the module's own rules (the core library, linked in).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "ledger/ledger_format.h"
#include "semguardctl/check_state.h"
#include "semguardctl/commands.h"
#include "semguardctl/options.h"

namespace {

int Run(int argc, char** argv) {
  using namespace semguardctl;
  Options opts;
  std::string error;
  if (!ParseArgs(argc, argv, &opts, &error)) {
    PrintError(error);
    std::fputs(UsageText().c_str(), stderr);
    // A monitoring plugin's bad argument is UNKNOWN: 2 would read as CRITICAL.
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "check") == 0) return kUnknown;
    }
    return kExitUsage;
  }
  switch (opts.command) {
    case Command::kHelp:
      std::fputs(UsageText().c_str(), stdout);
      return kExitOk;
    case Command::kVersion:
      std::printf("semguardctl %s (mod_semguard; ledger format %d)\n", kToolVersion,
                  semguard::kLedgerVersion);
      return kExitOk;
    case Command::kList:
      return RunList(opts);
    case Command::kCheck:
      return RunCheck(opts);
    case Command::kCleanup:
      return RunCleanup(opts);
    case Command::kExplain:
      return RunExplain(opts);
    case Command::kShow:
      return RunShow(opts);
    case Command::kNone:
      break;
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "semguardctl: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "semguardctl: unexpected error\n");
  }
  return 1;
}
