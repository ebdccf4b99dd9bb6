#include "page/page_query.h"

#include <charconv>
#include <string>

namespace semguard {
namespace {

std::string Shown(std::string_view word) {
  std::string out;
  // Echo only harmless characters: the word came from a stranger.
  for (char c : word.substr(0, 40)) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '=' || c == '_' || c == '-' || c == '.' || c == '%';
    out += plain ? c : '?';
  }
  return out;
}

}  // namespace

Status ParsePageQuery(std::string_view args, PageQuery* out) {
  PageQuery q;
  bool format_given = false;
  while (!args.empty()) {
    size_t amp = args.find('&');
    std::string_view word = args.substr(0, amp);
    args = amp == std::string_view::npos ? std::string_view() : args.substr(amp + 1);
    if (word.empty()) continue;
    // "auto=" and the like: what form encoders and Prometheus' `params` send for a bare word.
    if (!word.empty() && word.back() == '=' && word != "refresh=") word.remove_suffix(1);
    PageFormat format;
    if (word == "auto") format = PageFormat::kAuto;
    else if (word == "json") format = PageFormat::kJson;
    else if (word == "prometheus") format = PageFormat::kPrometheus;
    else if (word == "refresh" || word == "refresh=") {
      q.refresh = 1;  // as mod_status: no or zero seconds means every second
      continue;
    } else if (word.substr(0, 8) == "refresh=") {
      std::string_view digits = word.substr(8);
      long long seconds = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
      bool number = !digits.empty() && digits[0] != '-' && end == digits.data() + digits.size();
      bool huge = ec == std::errc::result_out_of_range;
      if (!number || (ec != std::errc() && !huge)) {
        return Status::Invalid("refresh must be a whole number of seconds: '" + Shown(word) + "'");
      }
      // A huge value is clamped, not refused: the page should still load. Zero means every
      // second, as in mod_status.
      q.refresh = huge || seconds > kMaxRefresh ? kMaxRefresh
                  : seconds < 1                 ? 1
                                                : static_cast<int>(seconds);
      continue;
    } else {
      return Status::Invalid("unknown query word '" + Shown(word) +
                             "'; use auto, json, prometheus and/or refresh=N");
    }
    if (format_given && format != q.format) return Status::Invalid("ask for one format only");
    q.format = format;
    format_given = true;
  }
  *out = q;
  return Status::Ok();
}

}  // namespace semguard
