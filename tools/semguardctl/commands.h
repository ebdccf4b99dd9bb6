// The commands; each returns the process's exit code and prints its own output.
#pragma once

#include "semguardctl/options.h"

namespace semguardctl {

// Exit codes of list, cleanup, explain and show (check has the monitoring-plugin ones).
enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

int RunList(const Options& opts);
int RunCheck(const Options& opts);
int RunCleanup(const Options& opts);
int RunExplain(const Options& opts);
int RunShow(const Options& opts);

// "semguardctl: <message>" on stderr.
void PrintError(const std::string& message);

}  // namespace semguardctl
