#include "module/mutex_labels.h"

#include <utility>

namespace semguard {
namespace {

struct KnownCreator {
  Checkpoint after;
  std::string_view module;
  const char* label;
};

// Modules whose hook between two checkpoints makes exactly the mutexes named (httpd 2.4's
// mutex types, as the Mutex directive names them). A module that makes several types in one
// call cannot be told apart from outside, hence the stem: mod_ssl's "ssl" (ssl-cache,
// ssl-stapling*), mod_auth_digest's "authdigest" (authdigest-client, authdigest-opaque).
constexpr KnownCreator kKnownCreators[] = {
    {Checkpoint::kOpenLogsAfterMpm, "prefork.c", "mpm-accept"},
    {Checkpoint::kOpenLogsAfterMpm, "worker.c", "mpm-accept"},
    {Checkpoint::kPostConfigAfterSsl, "mod_ssl.c", "ssl"},
};

// The modules with a kPostConfigAfterModule checkpoint of their own (mod_semguard.c registers
// one after each), by source file, and the mutex type each makes in its post_config.
constexpr std::pair<std::string_view, const char*> kPostConfigMakers[] = {
    {"mod_proxy.c", "proxy"}, {"mod_proxy_balancer.c", "proxy-balancer-shm"},
    {"mod_auth_digest.c", "authdigest"}, {"mod_rewrite.c", "rewrite-map"},
    {"util_ldap.c", "ldap-cache"}, {"mod_authn_socache.c", "authn-socache"},
    {"mod_cache_socache.c", "cache-socache"}, {"mod_lua.c", "lua-ivm-shm"},
    {"mod_watchdog.c", "watchdog-callback"}};

const char* KnownLabel(Checkpoint cp, std::string_view module) {
  for (const KnownCreator& known : kKnownCreators) {
    if (known.after == cp && known.module == module) return known.label;
  }
  for (const auto& [maker, label] : kPostConfigMakers) {
    if (cp == Checkpoint::kPostConfigAfterModule && maker == module) return label;
  }
  return nullptr;
}

}  // namespace

const char* CheckpointName(Checkpoint cp) {
  switch (cp) {
    case Checkpoint::kOpenLogsFirst: return "open_logs-first";
    case Checkpoint::kOpenLogsAfterMpm: return "open_logs-after-mpm";
    case Checkpoint::kOpenLogsLast: return "open_logs-last";
    case Checkpoint::kPostConfigFirst: return "post_config-first";
    case Checkpoint::kPostConfigBeforeSsl: return "post_config-before-ssl";
    case Checkpoint::kPostConfigAfterSsl: return "post_config-after-ssl";
    case Checkpoint::kPostConfigAfterModule: return "post_config-after-module";
    case Checkpoint::kPostConfigBeforeWatchdog: return "post_config-before-watchdog";
    case Checkpoint::kPostConfigLast: return "post_config-last";
  }
  return "unknown";
}

std::string LabelFor(Checkpoint cp, const std::vector<std::string_view>& modules_between) {
  bool one_module = !modules_between.empty();
  for (std::string_view m : modules_between) one_module = one_module && m == modules_between[0];
  const char* known = one_module ? KnownLabel(cp, modules_between[0]) : nullptr;
  if (known != nullptr) return known;
  switch (cp) {
    case Checkpoint::kOpenLogsFirst: return "pre_config";
    case Checkpoint::kOpenLogsAfterMpm:
    case Checkpoint::kOpenLogsLast:
    case Checkpoint::kPostConfigFirst: return "open_logs";
    default: return "post_config";
  }
}

}  // namespace semguard
