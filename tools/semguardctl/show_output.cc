#include "semguardctl/show_output.h"

#include <string>

#include "semguardctl/json_writer.h"
#include "semguardctl/names.h"

namespace semguardctl {
namespace {

using semguard::RecordedSet;
using semguard::RunOwner;

void OwnerFields(JsonWriter* w, const semguard::ProcessIdentity& p, const semguard::FileId& lock) {
  w->Field("pid", static_cast<long long>(p.pid))
      .Field("start", static_cast<long long>(p.start_time))
      .Field("pidns", static_cast<long long>(p.pid_ns))
      .Field("boot", p.boot_id)
      .Field("sid", static_cast<long long>(p.session))
      .Field("lockdev", static_cast<long long>(lock.dev))
      .Field("lockino", static_cast<long long>(lock.ino));
}

void SetJson(JsonWriter* w, const RecordedSet& r) {
  const semguard::SemSet& s = r.set;
  w->BeginObject()
      .Field("semid", s.semid)
      .Field("key", static_cast<long long>(s.key))
      .Field("uid", static_cast<long long>(s.uid))
      .Field("gid", static_cast<long long>(s.gid))
      .Field("cuid", static_cast<long long>(s.cuid))
      .Field("cgid", static_cast<long long>(s.cgid))
      .Field("mode", static_cast<long long>(s.mode))
      .Field("nsems", static_cast<long long>(s.nsems))
      .Field("ctime", static_cast<long long>(s.ctime))
      .Field("pid", static_cast<long long>(r.creator_pid))
      .Field("gen", r.generation)
      .Field("type", r.type)
      .Field("inherited", r.inherited);
  if (r.inherited) {
    w->Key("owner").BeginObject();
    OwnerFields(w, r.owner.process, r.owner.lock);
    w->EndObject();
  }
  w->EndObject();
}

std::string OwnerWords(const semguard::ProcessIdentity& p) {
  return "pid " + std::to_string(p.pid) + " (session " + std::to_string(p.session) +
         ", started at tick " + std::to_string(p.start_time) + ", pid namespace " +
         std::to_string(p.pid_ns) + ")";
}

}  // namespace

std::string ShowJson(const std::string& path, const semguard::Ledger& ledger) {
  const semguard::LedgerOwner& o = ledger.owner;
  JsonWriter w;
  w.BeginObject().Field("version", 1).Field("command", "show").Field("path", path);
  w.Key("owner").BeginObject();
  OwnerFields(&w, o.process, o.lock);
  w.Field("gen", o.generation).Field("written", static_cast<long long>(o.written_at));
  w.EndObject();
  w.Key("config").BeginObject().Field("root", o.server_root).Field("file", o.config_file);
  w.EndObject();
  w.Key("sets").BeginArray();
  for (const RecordedSet& r : ledger.sets) SetJson(&w, r);
  w.EndArray().EndObject();
  return w.text();
}

std::string ShowText(const std::string& path, const semguard::Ledger& ledger) {
  const semguard::LedgerOwner& o = ledger.owner;
  std::string out = "ledger " + path + "\n";
  out += "  written by httpd " + OwnerWords(o.process) + ", generation " +
         std::to_string(o.generation) + ", at " + std::to_string(o.written_at) + "\n";
  out += "  config " + o.config_file + " (ServerRoot " + o.server_root + ")\n";
  out += "  " + std::to_string(ledger.sets.size()) + " set(s) recorded\n";
  for (const RecordedSet& r : ledger.sets) {
    out += "  semid " + std::to_string(r.set.semid) + "  " + r.type + "  owner " +
           UserName(r.set.uid) + "  made by pid " + std::to_string(r.creator_pid) +
           " in generation " + std::to_string(r.generation);
    if (r.inherited) out += "  kept from the run of " + OwnerWords(r.owner.process);
    out += "\n";
  }
  return out;
}

}  // namespace semguardctl
