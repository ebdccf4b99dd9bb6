// The status page's query string, split into words: "auto", "json", "prometheus", "refresh=N"
// (mod_status's words, plus ours). Anything else is refused with a sentence naming it.
#pragma once

#include <string_view>

#include "base/status.h"

namespace semguard {

enum class PageFormat { kHtml, kAuto, kJson, kPrometheus };

struct PageQuery {
  PageFormat format = PageFormat::kHtml;
  int refresh = 0;  // seconds; 0 = none
};

inline constexpr int kMaxRefresh = 3600;

Status ParsePageQuery(std::string_view args, PageQuery* out);

}  // namespace semguard
