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

std::string Sample(const Figure& f, const std::string& value, const std::string& labels = "") {
  return std::string("semguard_") + f.metric + (labels.empty() ? "" : "{" + labels + "}") + " " +
         value + "\n";
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
    if (f.series != nullptr) {
      for (const auto& [key, n] : f.series(m)) {
        out += Sample(f, std::to_string(n), std::string(f.label) + "=\"" + key + "\"");
      }
    } else if (f.seconds != nullptr) {
      out += Sample(f, Seconds(f.seconds(m)));
    } else {
      out += Sample(f, std::to_string(f.value(m)));
    }
  }
  return out;
}

}  // namespace semguard
