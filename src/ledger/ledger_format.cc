#include "ledger/ledger_format.h"

#include <charconv>
#include <cstdio>
#include <set>
#include <vector>

#include "base/crc32c.h"

namespace semguard {
namespace {

constexpr std::string_view kMagic = "semguard-ledger";

bool IsPlain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '/' || c == '.' || c == '_' || c == '-' || c == ':';
}

std::string PercentEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (IsPlain(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (!IsPlain(static_cast<unsigned char>(s[i]))) return false;
      *out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return false;
    *out += c;
    i += 2;
  }
  return true;
}

// One "keyword k=v k=v" line, split and checked for duplicate keys. Keys and values are views
// into the line, which outlives the Fields: a ledger has thousands of lines of a dozen keys, and
// a map of strings per line made decoding the larger part of a start's cost per recorded set.
class Fields {
 public:
  Status Parse(std::string_view line, std::string_view keyword) {
    if (line.substr(0, keyword.size()) != keyword ||
        (line.size() > keyword.size() && line[keyword.size()] != ' ')) {
      return Status::Corrupt("expected a '" + std::string(keyword) + "' line");
    }
    std::string_view rest = line.substr(keyword.size());
    while (!rest.empty()) {
      rest.remove_prefix(1);  // the separating space
      if (rest.empty() || rest[0] == ' ')
        return Status::Corrupt("fields must be separated by one space");
      size_t end = rest.find(' ');
      std::string_view token = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      size_t eq = token.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return Status::Corrupt("'" + std::string(token.substr(0, 40)) + "' is not key=value");
      }
      std::string_view key = token.substr(0, eq);
      // The search for a duplicate is linear: bound it, or a hostile line of many thousands of
      // keys would cost quadratic time. No line of any version has half this many.
      if (fields_.size() == kMaxFields) {
        return Status::Corrupt("more than " + std::to_string(kMaxFields) + " fields on a line");
      }
      if (Find(key) != nullptr) {
        return Status::Corrupt("key '" + std::string(key) + "' appears twice");
      }
      fields_.push_back(Field{key, token.substr(eq + 1), false});
    }
    return Status::Ok();
  }

  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // Every key present must have been asked for.
  Status CheckNoExtra() const {
    for (const Field& field : fields_) {
      if (!field.used) return Status::Corrupt("unknown key '" + std::string(field.key) + "'");
    }
    return Status::Ok();
  }

  template <typename T>
  Status Number(std::string_view key, T* out, int base = 10) {
    std::string_view raw;
    Status st = Raw(key, &raw);
    if (!st.ok()) return st;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), *out, base);
    if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size()) {
      return Status::Corrupt("key '" + std::string(key) + "' is not a valid number");
    }
    return Status::Ok();
  }

  Status Text(std::string_view key, std::string* out) {
    std::string_view raw;
    Status st = Raw(key, &raw);
    if (!st.ok()) return st;
    if (!PercentDecode(raw, out)) {
      return Status::Corrupt("key '" + std::string(key) + "' is badly encoded");
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kMaxFields = 64;

  struct Field {
    std::string_view key;
    std::string_view value;
    bool used;
  };

  // A line has a dozen keys at most: a linear search beats any map here.
  const Field* Find(std::string_view key) const {
    for (const Field& field : fields_) {
      if (field.key == key) return &field;
    }
    return nullptr;
  }

  Status Raw(std::string_view key, std::string_view* out) {
    for (Field& field : fields_) {
      if (field.key != key) continue;
      field.used = true;
      *out = field.value;
      return Status::Ok();
    }
    return Status::Corrupt("missing key '" + std::string(key) + "'");
  }

  std::vector<Field> fields_;
};

// Splits at '\n'; every line, the last included, must end with one.
Status SplitLines(std::string_view text, std::vector<std::string_view>* lines) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Status::Corrupt("truncated: last line has no newline");
    lines->push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return Status::Ok();
}

Status DecodeOwner(std::string_view line, int version, LedgerOwner* owner) {
  Fields f;
  Status st = f.Parse(line, "owner");
  if (st.ok()) st = f.Number("pid", &owner->process.pid);
  if (st.ok()) st = f.Number("start", &owner->process.start_time);
  if (st.ok()) st = f.Number("pidns", &owner->process.pid_ns);
  if (st.ok()) st = f.Text("boot", &owner->process.boot_id);
  if (st.ok() && version >= 2) st = f.Number("sid", &owner->process.session);
  if (st.ok()) st = f.Number("gen", &owner->generation);
  if (st.ok()) st = f.Number("written", &owner->written_at);
  if (st.ok() && version >= 2) st = f.Number("lockdev", &owner->lock.dev);
  if (st.ok() && version >= 2) st = f.Number("lockino", &owner->lock.ino);
  if (st.ok()) st = f.CheckNoExtra();
  if (st.ok() && owner->process.pid <= 0) st = Status::Corrupt("owner pid must be positive");
  return st;
}

Status DecodeConfig(std::string_view line, LedgerOwner* owner) {
  Fields f;
  Status st = f.Parse(line, "config");
  if (st.ok()) st = f.Text("root", &owner->server_root);
  if (st.ok()) st = f.Text("file", &owner->config_file);
  if (st.ok()) st = f.CheckNoExtra();
  return st;
}

// An inherited set's own owner: every o* field, or none.
Status DecodeSetOwner(Fields* f, RecordedSet* rec) {
  rec->inherited = f->Has("opid");
  if (!rec->inherited) return Status::Ok();
  RunOwner& o = rec->owner;
  Status st = f->Number("opid", &o.process.pid);
  if (st.ok()) st = f->Number("ostart", &o.process.start_time);
  if (st.ok()) st = f->Number("opidns", &o.process.pid_ns);
  if (st.ok()) st = f->Text("oboot", &o.process.boot_id);
  if (st.ok()) st = f->Number("osid", &o.process.session);
  if (st.ok()) st = f->Number("olockdev", &o.lock.dev);
  if (st.ok()) st = f->Number("olockino", &o.lock.ino);
  if (st.ok() && o.process.pid <= 0) st = Status::Corrupt("opid must be positive");
  return st;
}

Status DecodeSet(std::string_view line, int version, RecordedSet* rec) {
  Fields f;
  SemSet& s = rec->set;
  Status st = f.Parse(line, "set");
  if (st.ok()) st = f.Number("semid", &s.semid);
  if (st.ok()) st = f.Number("key", &s.key);
  if (st.ok()) st = f.Number("uid", &s.uid);
  if (st.ok()) st = f.Number("gid", &s.gid);
  if (st.ok()) st = f.Number("cuid", &s.cuid);
  if (st.ok()) st = f.Number("cgid", &s.cgid);
  if (st.ok()) st = f.Number("mode", &s.mode, 8);
  if (st.ok()) st = f.Number("nsems", &s.nsems);
  if (st.ok()) st = f.Number("ctime", &s.ctime);
  if (st.ok()) st = f.Number("pid", &rec->creator_pid);
  if (st.ok()) st = f.Number("gen", &rec->generation);
  if (st.ok()) st = f.Text("type", &rec->type);
  if (st.ok() && version >= 2) st = DecodeSetOwner(&f, rec);
  if (st.ok()) st = f.CheckNoExtra();
  if (!st.ok()) return st;
  if (s.semid < 0) return Status::Corrupt("semid must not be negative");
  if (s.mode > 0777) return Status::Corrupt("mode has bits beyond 0777");
  if (!IsValidTypeName(rec->type)) return Status::Corrupt("type is not a valid mutex type name");
  return Status::Ok();
}

}  // namespace

RunOwner OwnerOf(const Ledger& ledger, const RecordedSet& rec) {
  if (rec.inherited) return rec.owner;
  return RunOwner{ledger.owner.process, ledger.owner.lock};
}

bool IsValidTypeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string EncodeLedger(const Ledger& ledger) {
  const LedgerOwner& o = ledger.owner;
  std::string out = std::string(kMagic) + " " + std::to_string(kLedgerVersion) + "\n";
  out += "owner pid=" + std::to_string(o.process.pid) +
         " start=" + std::to_string(o.process.start_time) +
         " pidns=" + std::to_string(o.process.pid_ns) +
         " boot=" + PercentEncode(o.process.boot_id) +
         " sid=" + std::to_string(o.process.session) + " gen=" + std::to_string(o.generation) +
         " written=" + std::to_string(o.written_at) + " lockdev=" + std::to_string(o.lock.dev) +
         " lockino=" + std::to_string(o.lock.ino) + "\n";
  out += "config root=" + PercentEncode(o.server_root) + " file=" + PercentEncode(o.config_file) +
         "\n";
  for (const RecordedSet& r : ledger.sets) {
    const SemSet& s = r.set;
    char mode[16];
    std::snprintf(mode, sizeof(mode), "%o", s.mode);
    out += "set semid=" + std::to_string(s.semid) + " key=" + std::to_string(s.key) +
           " uid=" + std::to_string(s.uid) + " gid=" + std::to_string(s.gid) +
           " cuid=" + std::to_string(s.cuid) + " cgid=" + std::to_string(s.cgid) +
           " mode=" + mode + " nsems=" + std::to_string(s.nsems) +
           " ctime=" + std::to_string(s.ctime) + " pid=" + std::to_string(r.creator_pid) +
           " gen=" + std::to_string(r.generation) + " type=" + PercentEncode(r.type);
    if (r.inherited) {
      const RunOwner& w = r.owner;
      out += " opid=" + std::to_string(w.process.pid) +
             " ostart=" + std::to_string(w.process.start_time) +
             " opidns=" + std::to_string(w.process.pid_ns) +
             " oboot=" + PercentEncode(w.process.boot_id) +
             " osid=" + std::to_string(w.process.session) +
             " olockdev=" + std::to_string(w.lock.dev) + " olockino=" + std::to_string(w.lock.ino);
    }
    out += "\n";
  }
  return out + LedgerEndLine(out, ledger.sets.size());
}

std::string LedgerEndLine(std::string_view body, size_t set_count) {
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", Crc32c(body));
  return "end count=" + std::to_string(set_count) + " crc32c=" + crc + "\n";
}

Status DecodeLedger(std::string_view text, Ledger* out) {
  std::vector<std::string_view> lines;
  Status st = SplitLines(text, &lines);
  if (!st.ok()) return st;
  if (lines.empty()) return Status::Corrupt("empty file");
  if (lines[0].substr(0, kMagic.size() + 1) != std::string(kMagic) + " ") {
    return Status::Corrupt("not a semguard ledger");
  }
  // Version 1 is still read: a module upgraded between a crash and the next start.
  int version = 0;
  for (int v = 1; v <= kLedgerVersion; ++v) {
    if (lines[0] == std::string(kMagic) + " " + std::to_string(v)) version = v;
  }
  if (version == 0) {
    return Status::Corrupt("unsupported ledger version (this module reads versions 1 to " +
                           std::to_string(kLedgerVersion) + ")");
  }
  if (lines.size() < 4) return Status::Corrupt("truncated: fewer than four lines");
  if (lines.size() - 4 > kLedgerMaxSets) {
    return Status::Corrupt("more than " + std::to_string(kLedgerMaxSets) + " sets");
  }

  // Checksum first: a torn or edited file is reported as such, not as its first odd field.
  std::string_view end_line = lines.back();
  size_t body_size = text.size() - end_line.size() - 1;
  Fields end;
  uint32_t crc = 0;
  size_t count = 0;
  st = end.Parse(end_line, "end");
  if (st.ok()) st = end.Number("count", &count);
  if (st.ok()) st = end.Number("crc32c", &crc, 16);
  if (st.ok()) st = end.CheckNoExtra();
  if (!st.ok()) return Status::Corrupt("last line: " + st.message() + " (truncated?)");
  if (Crc32c(text.substr(0, body_size)) != crc) return Status::Corrupt("checksum mismatch");
  if (count != lines.size() - 4) return Status::Corrupt("set count does not match the end line");

  Ledger ledger;
  st = DecodeOwner(lines[1], version, &ledger.owner);
  if (!st.ok()) return Status::Corrupt("line 2: " + st.message());
  st = DecodeConfig(lines[2], &ledger.owner);
  if (!st.ok()) return Status::Corrupt("line 3: " + st.message());
  std::set<int> semids;
  for (size_t i = 3; i + 1 < lines.size(); ++i) {
    RecordedSet rec;
    st = DecodeSet(lines[i], version, &rec);
    if (!st.ok()) return Status::Corrupt("line " + std::to_string(i + 1) + ": " + st.message());
    if (!semids.insert(rec.set.semid).second) {
      return Status::Corrupt("line " + std::to_string(i + 1) + ": semid " +
                             std::to_string(rec.set.semid) + " appears twice");
    }
    ledger.sets.push_back(std::move(rec));
  }
  *out = std::move(ledger);
  return Status::Ok();
}

}  // namespace semguard
