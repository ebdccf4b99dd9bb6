#include <cstdio>
#include <ctime>

#include "page/render.h"

namespace semguard {

bool NearLimit(const PageModel& m) {
  if (m.table.sets_limit <= 0) return false;
  int free_sets = m.table.sets_limit - m.table.sets_in_use;
  return free_sets < m.table.sets_limit * kNearLimitFreeShare;
}

std::string Render(PageFormat format, const PageModel& m, int refresh) {
  switch (format) {
    case PageFormat::kAuto: return RenderAuto(m);
    case PageFormat::kJson: return RenderJson(m);
    case PageFormat::kPrometheus: return RenderPrometheus(m);
    case PageFormat::kHtml: break;
  }
  return RenderHtml(m, true, refresh);
}

const char* ContentType(PageFormat format) {
  switch (format) {
    case PageFormat::kAuto: return "text/plain; charset=utf-8";
    case PageFormat::kJson: return "application/json";
    case PageFormat::kPrometheus: return "text/plain; version=0.0.4; charset=utf-8";
    case PageFormat::kHtml: break;
  }
  return "text/html; charset=utf-8";
}

std::string CamelCase(const std::string& type) {
  std::string out;
  bool upper = true;
  for (char c : type) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string FormatTime(int64_t epoch_seconds) {
  if (epoch_seconds <= 0) return "never";
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace semguard
