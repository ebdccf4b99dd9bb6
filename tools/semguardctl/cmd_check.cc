// semguardctl check: a monitoring plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
#include <cstdio>

#include "os/process_table.h"
#include "os/sysv.h"
#include "semguardctl/check_state.h"
#include "semguardctl/commands.h"
#include "semguardctl/host_view.h"

namespace semguardctl {

int RunCheck(const Options& opts) {
  HostView v;
  semguard::Status st =
      BuildHostView(opts, true, semguard::RealSysV(), semguard::RealProcessTable(), &v);
  if (!st.ok()) {
    std::printf("SEMGUARD UNKNOWN - %s\n", st.message().c_str());
    return kUnknown;
  }
  CheckResult r = EvaluateCheck(v, opts.warn_free, opts.crit_free);
  const std::string out = opts.json ? CheckJson(r, v) : r.Line();
  std::fputs(out.c_str(), stdout);
  return r.code;
}

}  // namespace semguardctl
