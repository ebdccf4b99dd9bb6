// ?auto: mod_status's plain "Key: Value" lines, CamelCase keys, from the figures.
#include "page/figures.h"
#include "page/render.h"

namespace semguard {

std::string RenderAuto(const PageModel& m, const std::string& key_prefix) {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) {
    out += key_prefix + key + ": " + value + "\n";
  };
  for (const Figure& f : Figures()) {
    if (f.auto_key == nullptr) continue;
    line(f.auto_key, PlainValue(f, m));
    if (f.parts == nullptr) continue;
    for (const Sample& s : f.parts(m)) line(f.auto_key + CamelCase(s.key), std::to_string(s.n));
  }
  return out;
}

}  // namespace semguard
