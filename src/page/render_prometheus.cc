// ?prometheus: text exposition format 0.0.4, every metric prefixed semguard_, with HELP and TYPE,
// from the figures.
#include <cstdio>

#include "page/figures.h"
#include "page/render.h"

namespace semguard {
namespace {

std::string Head(const Figure& f) {
  return std::string("# HELP semguard_") + f.metric + " " + f.help + "\n# TYPE semguard_" +
         f.metric + " " + f.type + "\n";
}

std::string Line(const Figure& f, const std::string& value, const std::string& labels = "") {
  return std::string("semguard_") + f.metric + (labels.empty() ? "" : "{" + labels + "}") + " " +
         value + "\n";
}

// A label value: backslash, double quote and line feed escaped, as the format asks.
std::string Quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

std::string Labels(const Figure& f, const Sample& s) {
  std::string labels = std::string(f.label) + "=" + Quoted(s.key);
  if (f.name_label != nullptr && !s.name.empty()) {
    labels += std::string(",") + f.name_label + "=" + Quoted(s.name);
  }
  return labels;
}

std::string Seconds(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6f", value);
  return buf;
}

}  // namespace

std::string RenderPrometheus(const PageModel& m) {
  std::string out;
  for (const Figure& f : Figures()) {
    if (f.metric == nullptr) continue;
    if (f.may_be_unknown && f.value(m) < 0) continue;
    out += Head(f);
    if (f.parts != nullptr) {
      for (const Sample& s : f.parts(m)) {
        out += Line(f, std::to_string(s.n), Labels(f, s));
      }
    } else if (f.seconds != nullptr) {
      out += Line(f, Seconds(f.seconds(m)));
    } else {
      out += Line(f, PlainValue(f, m));
    }
  }
  return out;
}

}  // namespace semguard
