// ?auto: mod_status's plain "Key: Value" lines, CamelCase keys, raw numbers, from the figures.
#include "page/figures.h"
#include "page/render.h"

namespace semguard {

std::string RenderAuto(const PageModel& m, const std::string& key_prefix) {
  std::string out;
  auto line = [&](const std::string& key, long long value) {
    out += key_prefix + key + ": " + std::to_string(value) + "\n";
  };
  for (const Figure& f : Figures()) {
    if (f.auto_key == nullptr) continue;
    line(f.auto_key, f.value(m));
    if (f.series == nullptr) continue;
    for (const auto& [key, n] : f.series(m)) line(f.auto_key + CamelCase(key), n);
  }
  return out;
}

}  // namespace semguard
