// The status page's figures in one table, read by the ?auto and ?prometheus renderers: a new
// figure is one row here. (The HTML page words its figures in sentences, and the JSON object
// nests them by subject; both read the PageModel directly.)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "page/page_model.h"

namespace semguard {

struct Figure {
  const char* auto_key;  // the ?auto key; nullptr when ?auto leaves it out
  const char* metric;    // the Prometheus name after "semguard_"; nullptr when left out
  const char* type;      // "gauge" or "counter"
  const char* help;
  long long (*value)(const PageModel&);
  // Optional: Prometheus shows this instead of `value`, in seconds with six decimals.
  double (*seconds)(const PageModel&) = nullptr;
  // Optional: one sample per entry, labelled `label` (?auto: one more key per entry).
  std::map<std::string, long long> (*series)(const PageModel&) = nullptr;
  const char* label = nullptr;
  // Prometheus leaves the figure out while it is unknown (-1).
  bool may_be_unknown = false;
};

const std::vector<Figure>& Figures();

}  // namespace semguard
