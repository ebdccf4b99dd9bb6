#include "cleanup/per_set_lines.h"

namespace semguard {
namespace {

// What each per-set tag stands for in a summary.
const char* KindOf(const std::string& tag) {
  static const std::map<std::string, const char*> kinds = {
      {"SG00015", "recorded by the previous run"},
      {"SG00016", "recorded by an earlier run, carried in the ledger"},
      {"SG00018", "httpd-shaped leftovers no ledger knows, not removed"},
      {"SG00019", "httpd-shaped leftovers no ledger knows"},
      {"SG00024", "whose removal failed"},
      {"SG00030", "made by the previous run after its last ledger write"},
      {"SG00033", "kept earlier for a run that is gone now"},
  };
  auto it = kinds.find(tag);
  return it != kinds.end() ? it->second : "other";
}

std::string Breakdown(const std::map<std::string, int>& by_tag) {
  std::string out;
  for (const auto& entry : by_tag) {
    out += (out.empty() ? "" : ", ") + std::to_string(entry.second) + " " +
           KindOf(entry.first) + " (" + entry.first + ")";
  }
  return out;
}

}  // namespace

void PerSetLines::Start(int loud) {
  loud_ = loud;
  removed_ = Kind{};
  kept_ = Kind{};
}

void PerSetLines::Removed(const char* tag, const std::string& message) {
  Log(&removed_, Level::kNotice, tag, message);
}

void PerSetLines::Kept(const char* tag, const std::string& message) {
  Log(&kept_, Level::kWarn, tag, message);
}

void PerSetLines::Log(Kind* kind, Level level, const char* tag, const std::string& message) {
  if (loud_ < 0 || kind->loud_lines < loud_) {
    ++kind->loud_lines;
    (*log_)(level, tag, message);
    return;
  }
  ++kind->quiet;
  ++kind->quiet_by_tag[tag];
  (*log_)(Level::kInfo, tag, message);
}

void PerSetLines::Summarize() {
  const std::string above = " than the " + std::to_string(loud_) + " logged one by one: ";
  if (removed_.quiet > 0) {
    (*log_)(Level::kNotice, "SG00048",
            std::to_string(removed_.quiet) + " more set(s) removed" + above +
                Breakdown(removed_.quiet_by_tag) +
                "; each is logged at LogLevel info with its semid");
  }
  if (kept_.quiet > 0) {
    (*log_)(Level::kWarn, "SG00049",
            std::to_string(kept_.quiet) + " more set(s) kept" + above +
                Breakdown(kept_.quiet_by_tag) +
                "; each is logged at LogLevel info with its semid and reason, and "
                "'semguardctl list' shows those the ledger carries");
  }
  Start(kEveryPerSetLineLoud);
}

}  // namespace semguard
