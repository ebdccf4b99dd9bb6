// Which mutex type a set is, from where it appeared. httpd reports no mutex creation, so the
// module brackets the hooks that create them with its own and asks which module ran between.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace semguard {

// The module's checkpoints, in the order they run within one configuration pass.
enum class Checkpoint {
  kOpenLogsFirst,        // open_logs, before the MPM's (the MPM makes the accept mutex)
  kOpenLogsAfterMpm,     // right after the MPM's open_logs
  kOpenLogsLast,         // after every open_logs hook: the ledger is written
  kPostConfigFirst,      // post_config, before all others
  kPostConfigBeforeSsl,  // right before mod_ssl's post_config: the first of the creators below
  kPostConfigAfterSsl,   // right after it
  // Right after the post_config of one other module that makes mutexes there (mod_proxy,
  // mod_proxy_balancer, mod_auth_digest, mod_rewrite, ...): one such checkpoint per module.
  kPostConfigAfterModule,
  kPostConfigBeforeWatchdog,  // right before mod_watchdog's post_config (order LAST)
  kPostConfigLast,            // after every post_config hook: the ledger is written
};

const char* CheckpointName(Checkpoint cp);

// The label for sets that appeared just before `cp`. `modules_between` names the source file of
// every hook that ran between the module's previous checkpoint and this one ("prefork.c",
// "mod_ssl.c"). Only when that is one known creator for `cp` is the label its mutex type (or
// the types' common stem, as "ssl" and "authdigest"); otherwise it is the phase.
std::string LabelFor(Checkpoint cp, const std::vector<std::string_view>& modules_between);

}  // namespace semguard
