#include "module/mutex_labels.h"

namespace semguard {
namespace {

struct KnownCreator {
  Checkpoint after;
  std::string_view module;
  const char* label;
};

// Modules whose hook between two checkpoints makes exactly the mutexes named. mod_ssl makes
// ssl-cache and ssl-stapling* in one call, which cannot be told apart from outside, hence "ssl".
constexpr KnownCreator kKnownCreators[] = {
    {Checkpoint::kOpenLogsAfterMpm, "prefork.c", "mpm-accept"},
    {Checkpoint::kOpenLogsAfterMpm, "worker.c", "mpm-accept"},
    {Checkpoint::kPostConfigAfterSsl, "mod_ssl.c", "ssl"},
};

}  // namespace

const char* CheckpointName(Checkpoint cp) {
  switch (cp) {
    case Checkpoint::kOpenLogsFirst: return "open_logs-first";
    case Checkpoint::kOpenLogsAfterMpm: return "open_logs-after-mpm";
    case Checkpoint::kOpenLogsLast: return "open_logs-last";
    case Checkpoint::kPostConfigFirst: return "post_config-first";
    case Checkpoint::kPostConfigBeforeSsl: return "post_config-before-ssl";
    case Checkpoint::kPostConfigAfterSsl: return "post_config-after-ssl";
    case Checkpoint::kPostConfigLast: return "post_config-last";
  }
  return "unknown";
}

std::string LabelFor(Checkpoint cp, const std::vector<std::string_view>& modules_between) {
  bool one_module = !modules_between.empty();
  for (std::string_view m : modules_between) one_module = one_module && m == modules_between[0];
  for (const KnownCreator& known : kKnownCreators) {
    if (one_module && known.after == cp && known.module == modules_between[0]) return known.label;
  }
  switch (cp) {
    case Checkpoint::kOpenLogsFirst: return "pre_config";
    case Checkpoint::kOpenLogsAfterMpm:
    case Checkpoint::kOpenLogsLast:
    case Checkpoint::kPostConfigFirst: return "open_logs";
    default: return "post_config";
  }
}

}  // namespace semguard
