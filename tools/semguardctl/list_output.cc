#include "semguardctl/list_output.h"

#include <cstdio>

#include "semguardctl/names.h"

namespace semguardctl {

std::string OwnerText(uid_t uid, gid_t gid) { return UserName(uid) + ":" + GroupName(gid); }

std::string LedgerState(const LedgerView& l) {
  if (l.status.ok()) return l.live ? "live" : "dead";
  if (l.status.code() == semguard::Status::Code::kNotFound) return "missing";
  return "unreadable";
}

std::string SetDescription(const HostView& v, const SetView& s) {
  const std::string ledger =
      s.ledger >= 0 ? v.ledgers[static_cast<size_t>(s.ledger)].path : std::string();
  switch (s.mark) {
    case Mark::kLive:
      return s.type + ", recorded by the live instance of " + ledger;
    case Mark::kLeftover:
      return s.type + ", left by the dead instance of " + ledger +
             (s.removable ? "; cleanup would remove it" : "; cleanup would keep it: " + s.why);
    case Mark::kCandidate:
      return "httpd-shaped, free, abandoned, in no ledger: adoption candidate" +
             std::string(s.removable ? " (--adopt remove would remove it)"
                                     : " (--adopt remove would keep it: " + s.why + ")");
    case Mark::kForeign:
      break;
  }
  return "not httpd's as far as the ledgers tell" + (s.why.empty() ? "" : " (" + s.why + ")");
}

std::string ListText(const HostView& v) {
  std::string out;
  char line[512];
  if (v.ledgers.empty()) {
    out +=
        "ledgers: none found (looked in /run/apache2, /var/run/apache2, /run/httpd, "
        "/etc/httpd/run; add --ledger FILE)\n";
  } else {
    out += "ledgers:\n";
  }
  for (const LedgerView& l : v.ledgers) {
    out += "  " + l.path + ": " + LedgerState(l);
    if (l.status.ok()) {
      out += " (pid " + std::to_string(l.ledger.owner.process.pid) + ": " + l.liveness + "), " +
             std::to_string(l.ledger.sets.size()) + " set(s) recorded, " +
             std::to_string(l.present) + " still present\n";
    } else {
      out += " (" + l.status.message() + ")\n";
    }
  }
  if (!v.table_status.ok()) {
    return out + "semaphore table: cannot be read: " + v.table_status.message() + "\n";
  }
  std::snprintf(line, sizeof(line),
                "semaphore table: %d of %d sets (SEMMNI), %ld of %ld semaphores (SEMMNS) in use\n",
                v.info.sets_in_use, v.info.sets_limit, v.info.sems_in_use, v.info.sems_limit);
  out += line;
  if (v.sets.empty()) return out;
  std::snprintf(line, sizeof(line), "%-10s %-10s %-22s %-10s %-4s %5s %5s %8s  %s\n", "SEMID",
                "KEY", "OWNER", "CREATOR", "MODE", "NSEMS", "VALUE", "LASTPID", "MARK");
  out += line;
  for (const SetView& s : v.sets) {
    char key[16];
    std::snprintf(key, sizeof(key), "0x%08x", static_cast<unsigned>(s.set.key));
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", s.set.mode);
    const std::string value = s.probe.ok() ? std::to_string(s.set.value) : "?";
    const std::string last = s.probe.ok() ? std::to_string(s.set.last_pid) : "?";
    std::snprintf(line, sizeof(line),
                  "%-10d %-10s %-22s %-10s %-4s %5lu %5s %8s  %s: ", s.set.semid, key,
                  OwnerText(s.set.uid, s.set.gid).c_str(), UserName(s.set.cuid).c_str(), mode,
                  s.set.nsems, value.c_str(), last.c_str(), MarkName(s.mark));
    out += line + SetDescription(v, s) + "\n";
  }
  return out;
}

void WriteLedgerJson(const LedgerView& l, JsonWriter* w) {
  w->BeginObject().Field("path", l.path).Field("state", LedgerState(l));
  if (!l.status.ok()) {
    w->Field("error", l.status.message());
  } else {
    w->Field("owner_pid", static_cast<long long>(l.ledger.owner.process.pid))
        .Field("live", l.live)
        .Field("liveness", l.liveness)
        .Field("config_file", l.ledger.owner.config_file)
        .Field("written_at", static_cast<long long>(l.ledger.owner.written_at))
        .Field("sets_recorded", static_cast<long long>(l.ledger.sets.size()))
        .Field("sets_present", l.present);
  }
  w->Key("lock_holders").BeginArray();
  for (pid_t p : l.lock_holders) w->Number(p);
  w->EndArray().EndObject();
}

void WriteSetJson(const HostView& v, const SetView& s, JsonWriter* w) {
  w->BeginObject()
      .Field("semid", s.set.semid)
      .Field("key", static_cast<long long>(s.set.key))
      .Field("owner", UserName(s.set.uid))
      .Field("group", GroupName(s.set.gid))
      .Field("uid", static_cast<long long>(s.set.uid))
      .Field("gid", static_cast<long long>(s.set.gid))
      .Field("creator", UserName(s.set.cuid))
      .Field("cuid", static_cast<long long>(s.set.cuid))
      .Field("mode", static_cast<long long>(s.set.mode))
      .Field("nsems", static_cast<long long>(s.set.nsems))
      .Field("ctime", static_cast<long long>(s.set.ctime))
      .Field("otime", static_cast<long long>(s.set.otime));
  if (s.probe.ok()) {
    w->Field("value", s.set.value)
        .Field("waiters", s.set.waiters)
        .Field("last_pid", static_cast<long long>(s.set.last_pid))
        .Field("last_pid_alive", s.last_user_alive);
  } else {
    w->Field("probe_error", s.probe.message());
  }
  w->Field("mark", MarkName(s.mark));
  if (s.ledger >= 0) {
    const LedgerView& l = v.ledgers[static_cast<size_t>(s.ledger)];
    w->Field("ledger", l.path).Field("instance", l.live ? "live" : "dead").Field("type", s.type);
  } else {
    w->Key("ledger").Null();
  }
  w->Field("removable", s.removable)
      .Field("reason", s.why)
      .Field("description", SetDescription(v, s));
  w->EndObject();
}

std::string ListJson(const HostView& v) {
  JsonWriter w;
  w.BeginObject().Field("version", 1).Field("command", "list");
  w.Key("table").BeginObject().Field("readable", v.table_status.ok());
  if (!v.table_status.ok()) w.Field("error", v.table_status.message());
  w.Field("sets", v.info.sets_in_use)
      .Field("sets_limit", v.info.sets_limit)
      .Field("sems", v.info.sems_in_use)
      .Field("sems_limit", v.info.sems_limit)
      .EndObject();
  w.Key("shape")
      .BeginObject()
      .Field("creator", UserName(v.starter))
      .Field("user", UserName(v.settings.user))
      .Field("group", GroupName(v.settings.group))
      .Field("from", v.shape_from)
      .Field("adoption_blocker", v.adoption_blocker)
      .EndObject();
  w.Key("ledgers").BeginArray();
  for (const LedgerView& l : v.ledgers) WriteLedgerJson(l, &w);
  w.EndArray().Key("sets").BeginArray();
  for (const SetView& s : v.sets) WriteSetJson(v, s, &w);
  w.EndArray().EndObject();
  return w.text();
}

}  // namespace semguardctl
