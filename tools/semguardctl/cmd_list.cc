// semguardctl list: every set on the host, marked.
#include <cstdio>

#include "os/process_table.h"
#include "os/sysv.h"
#include "semguardctl/commands.h"
#include "semguardctl/host_view.h"
#include "semguardctl/list_output.h"

namespace semguardctl {

void PrintError(const std::string& message) {
  std::fprintf(stderr, "semguardctl: %s\n", message.c_str());
}

int RunList(const Options& opts) {
  HostView v;
  semguard::Status st =
      BuildHostView(opts, true, semguard::RealSysV(), semguard::RealProcessTable(), &v);
  if (!st.ok()) {
    PrintError(st.message());
    return kExitUsage;
  }
  const std::string out = opts.json ? ListJson(v) : ListText(v);
  std::fputs(out.c_str(), stdout);
  int code = kExitOk;
  if (!v.table_status.ok()) {
    PrintError("cannot read the semaphore table: " + v.table_status.message());
    code = kExitFailure;
  }
  for (const LedgerView& l : v.ledgers) {
    if (l.status.ok()) continue;
    PrintError("cannot read ledger " + l.path + ": " + l.status.message());
    code = kExitFailure;
  }
  return code;
}

}  // namespace semguardctl
