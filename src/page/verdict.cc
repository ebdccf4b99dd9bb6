#include "page/verdict.h"

#include <algorithm>

namespace semguard {
namespace {

std::string Sets(long long n) { return std::to_string(n) + (n == 1 ? " set" : " sets"); }

// A recorded set missing now counts even before the parent's counter sees it (next child exit).
long long VanishedNow(const PageModel& m) {
  long long missing = 0;
  for (const ServerSetView& s : m.server_sets) missing += s.present ? 0 : 1;
  return std::max(missing, static_cast<long long>(m.vanished_sets));
}

void Attention(const PageModel& m, std::vector<std::string>* out) {
  if (!m.guarding) {
    out->push_back(m.enabled ? "this server serves unguarded (" + m.guarding_reason + ")"
                             : "not guarding: SemGuard Off");
  }
  if (long long n = VanishedNow(m); n > 0) {
    out->push_back(Sets(n) + " vanished under this server (SG00007)");
  }
  if (m.leaked_sets > 0) out->push_back(Sets(m.leaked_sets) + " on the host look leaked");
  if (m.startup.skipped > 0) {
    out->push_back("the last start kept " + Sets(m.startup.skipped) +
                   " of the previous run (see Last start)");
  }
  if (int left = m.startup.candidates - m.startup.adopted; left > 0) {
    out->push_back("the last start found " + std::to_string(left) +
                   " adoption candidate(s) and left them (SG00018)");
  }
}

}  // namespace

PageVerdict Judge(const PageModel& m) {
  PageVerdict v;
  if (NearLimit(m)) {
    v.verdict = Verdict::kTrouble;
    v.reasons.push_back("the kernel's semaphore table is nearly full: " +
                        std::to_string(m.table.sets_in_use) + " of " +
                        std::to_string(m.table.sets_limit) + " sets in use (SEMMNI)");
  }
  std::vector<std::string> attention;
  Attention(m, &attention);
  if (!attention.empty() && v.verdict == Verdict::kOk) v.verdict = Verdict::kAttention;
  v.reasons.insert(v.reasons.end(), attention.begin(), attention.end());
  if (v.reasons.empty()) {
    v.reasons.push_back("guarding; no leftover or vanished set; the semaphore table has room");
  }
  return v;
}

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kOk: return "OK";
    case Verdict::kAttention: return "attention";
    case Verdict::kTrouble: return "trouble";
  }
  return "unknown";
}

std::string JoinedReasons(const PageVerdict& v) {
  std::string out;
  for (const std::string& r : v.reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace semguard
