// `semguardctl list` as text and as JSON, from a HostView (no I/O but user-name lookups).
#pragma once

#include <string>

#include "semguardctl/host_view.h"
#include "semguardctl/json_writer.h"

namespace semguardctl {

std::string ListText(const HostView& v);
std::string ListJson(const HostView& v);

// Pieces shared with the other commands.
std::string OwnerText(uid_t uid, gid_t gid);   // "www-data:www-data"
std::string LedgerState(const LedgerView& l);  // "live", "dead", "missing", "unreadable"
// One set's "what it is" sentence, as list shows it.
std::string SetDescription(const HostView& v, const SetView& s);
void WriteLedgerJson(const LedgerView& l, JsonWriter* w);
void WriteSetJson(const HostView& v, const SetView& s, JsonWriter* w);

}  // namespace semguardctl
