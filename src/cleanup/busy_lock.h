// Why the instance lock is busy, in words an operator can act on (the end of SG00001).
#pragma once

#include <string>

#include "ledger/ledger_format.h"
#include "os/process_table.h"

namespace semguard {

// `previous` is the ledger read at this start, or nullptr when there was none. Names the
// previous run's parent when it still runs, or its orphaned children that hold the lock; else a
// generic question. The text starts with its own separator (". " or " (").
std::string ExplainBusyLock(const Ledger* previous, ProcessTable& procs);

}  // namespace semguard
