// ?json: the figures as one JSON object, nested by section, with the lists (this server's sets,
// the skipped sets, the owners) beside them; the schema is in docs/status-page.md.
#include "page/figures.h"
#include "page/render.h"

namespace semguard {
namespace {

// Bump when a key goes or changes its meaning; a new key keeps the version.
constexpr int kJsonVersion = 1;

std::string Str(const std::string& s) { return "\"" + JsonEscape(s) + "\""; }
std::string Num(long long v) { return std::to_string(v); }
std::string Key(const char* k) { return Str(k) + ":"; }

std::string Value(const Figure& f, const PageModel& m) {
  switch (f.kind) {
    case Kind::kFlag: return f.value(m) != 0 ? "true" : "false";
    case Kind::kText: return Str(f.words(m));
    case Kind::kNumber: break;
  }
  return Num(f.value(m));
}

// The section's figures as "key":value pairs, joined by commas.
std::string Members(Section section, const PageModel& m) {
  std::string out;
  for (const Figure& f : Figures()) {
    if (f.section != section) continue;
    if (f.json != nullptr) out += (out.empty() ? "" : ",") + Key(f.json) + Value(f, m);
    if (f.json_parts == nullptr) continue;
    std::string parts;
    for (const Sample& s : f.parts(m)) {
      parts += (parts.empty() ? "" : ",") + Str(s.key) + ":" + Num(s.n);
    }
    out += (out.empty() ? "" : ",") + Key(f.json_parts) + "{" + parts + "}";
  }
  return out;
}

std::string ServerSets(const PageModel& m) {
  std::string sets;
  for (const ServerSetView& s : m.server_sets) {
    sets += std::string(sets.empty() ? "" : ",") + "{\"semid\":" + Num(s.semid) +
            ",\"type\":" + Str(s.type) + ",\"created\":" + Num(s.created) +
            ",\"last_use\":" + Num(s.last_use) + ",\"present\":" + (s.present ? "true" : "false") +
            "}";
  }
  return "\"sets\":[" + sets + "]";
}

std::string Skips(const PageModel& m) {
  std::string skips;
  for (int i = 0; i < m.startup.n_skips; ++i) {
    skips += std::string(skips.empty() ? "" : ",") + "{\"semid\":" + Num(m.startup.skips[i].semid) +
             ",\"reason\":" + Str(m.startup.skips[i].reason) + "}";
  }
  return "\"skips\":[" + skips + "]";
}

// The owners with their names; "sets_by_owner" (uid -> sets) stays for version 1 readers.
std::string Owners(const PageModel& m) {
  std::string owners;
  for (const auto& [uid, n] : m.sets_by_owner) {
    auto name = m.owner_names.find(uid);
    owners += std::string(owners.empty() ? "" : ",") + "{\"uid\":" + Num(uid) +
              ",\"user\":" + Str(name != m.owner_names.end() ? name->second : "") +
              ",\"sets\":" + Num(n) + "}";
  }
  return "\"owners\":[" + owners + "]";
}

}  // namespace

std::string RenderJson(const PageModel& m) {
  return "{\"version\":" + Num(kJsonVersion) + "," + Members(Section::kPage, m) + "," +
         Members(Section::kVerdict, m) + ",\"server\":{" + Members(Section::kServer, m) + "," +
         ServerSets(m) + "},\"last_start\":{" + Members(Section::kLastStart, m) + "," + Skips(m) +
         "},\"host\":{" + Members(Section::kHost, m) + "," + Owners(m) + "}}\n";
}

}  // namespace semguard
