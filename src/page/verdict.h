// The page's one-word answer, worked out once from the model so that every format says the
// same: OK, attention (leftovers, vanished sets, not guarding) or trouble (the kernel's
// semaphore table is nearly full), with the reasons in words.
#pragma once

#include <string>
#include <vector>

#include "page/page_model.h"

namespace semguard {

enum class Verdict { kOk, kAttention, kTrouble };

struct PageVerdict {
  Verdict verdict = Verdict::kOk;
  std::vector<std::string> reasons;  // trouble first; one sentence for OK
};

PageVerdict Judge(const PageModel& m);
const char* VerdictName(Verdict v);  // "OK", "attention", "trouble"
// The reasons as one line: "a; b".
std::string JoinedReasons(const PageVerdict& v);

}  // namespace semguard
