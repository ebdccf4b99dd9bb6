// semguardctl show's two outputs: a ledger as the module reads it, field for field.
#pragma once

#include <string>

#include "ledger/ledger_format.h"

namespace semguardctl {

// Plain text: the owner, then one line per recorded set (inherited ones with their own run).
std::string ShowText(const std::string& path, const semguard::Ledger& ledger);

// One JSON object; the keys are the ledger format's own words (docs/architecture.md).
std::string ShowJson(const std::string& path, const semguard::Ledger& ledger);

}  // namespace semguardctl
