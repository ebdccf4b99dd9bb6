// semguardctl show FILE: one ledger, read and checked exactly as the module reads it.
#include <unistd.h>

#include <cstdio>

#include "ledger/ledger_store.h"
#include "semguardctl/commands.h"
#include "semguardctl/show_output.h"

namespace semguardctl {

int RunShow(const Options& opts) {
  const std::string& path = opts.ledgers.front();
  // The module's own reader: the same refusals (symlink, owner, mode, size, checksum, fields).
  // It only reads; a refused file stays where it is.
  semguard::LoadedLedger loaded = semguard::LedgerStore(geteuid()).Load(path);
  if (!loaded.status.ok()) {
    PrintError("cannot read ledger " + path + ": " + loaded.status.message());
    return kExitFailure;
  }
  const std::string out =
      opts.json ? ShowJson(path, loaded.ledger) : ShowText(path, loaded.ledger);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace semguardctl
