#include "module/mutex_labels.h"

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace semguard {
namespace {

TEST(LabelForTest, PreforkBetweenMpmCheckpointsIsTheAcceptMutex) {
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"prefork.c"}), "mpm-accept");
}

TEST(LabelForTest, WorkerBetweenMpmCheckpointsIsTheAcceptMutex) {
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"worker.c"}), "mpm-accept");
}

TEST(LabelForTest, ModSslAroundItsPostConfigIsSsl) {
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c"}), "ssl");
}

TEST(LabelForTest, EachPostConfigMakerAloneInItsWindowGivesItsMutexType) {
  const std::pair<const char*, const char*> makers[] = {
      {"mod_proxy.c", "proxy"},
      {"mod_proxy_balancer.c", "proxy-balancer-shm"},
      {"mod_auth_digest.c", "authdigest"},
      {"mod_rewrite.c", "rewrite-map"},
      {"util_ldap.c", "ldap-cache"},
      {"mod_authn_socache.c", "authn-socache"},
      {"mod_cache_socache.c", "cache-socache"},
      {"mod_lua.c", "lua-ivm-shm"},
      {"mod_watchdog.c", "watchdog-callback"},
  };
  for (const auto& [module, label] : makers) {
    EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {module}), label) << module;
    // Anywhere else, or with another module in the same window, it is the phase.
    EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, {module}), "post_config") << module;
    EXPECT_EQ(LabelFor(Checkpoint::kPostConfigBeforeWatchdog, {module}), "post_config") << module;
    EXPECT_EQ(LabelFor(Checkpoint::kPostConfigLast, {module}), "post_config") << module;
    EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {module}), "open_logs") << module;
    EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {"mod_tls.c", module}), "post_config")
        << module;
  }
}

TEST(LabelForTest, TwoMakersInOneWindowGiveThePhase) {
  // mod_proxy_balancer pulled mod_proxy in (it runs after mod_proxy): both made sets here.
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {"mod_proxy.c", "mod_proxy_balancer.c"}),
            "post_config");
  // mod_proxy_hcheck runs before mod_watchdog; in one window they cannot be told apart.
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {"mod_proxy_hcheck.c", "mod_watchdog.c"}),
            "post_config");
}

TEST(LabelForTest, ModSslIsNoMakerAfterAnotherModule) {
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {"mod_ssl.c"}), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, {"prefork.c"}), "post_config");
}

TEST(LabelForTest, SameModuleTwiceStillCounts) {
  // One module with two hooks in the bracket is still one known creator.
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"prefork.c", "prefork.c"}), "mpm-accept");
}

TEST(LabelForTest, TwoDifferentModulesGiveThePhase) {
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"prefork.c", "mod_foo.c"}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"mod_foo.c", "prefork.c"}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, {"mod_ssl.c", "mod_foo.c"}), "post_config");
}

TEST(LabelForTest, NoModuleGivesThePhase) {
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, {}), "post_config");
}

TEST(LabelForTest, KnownModuleAtTheWrongCheckpointGivesThePhase) {
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, {"prefork.c"}), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsLast, {"prefork.c"}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"mod_ssl.c"}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigLast, {"mod_ssl.c"}), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigBeforeSsl, {"mod_ssl.c"}), "post_config");
}

TEST(LabelForTest, UnknownModuleGivesThePhase) {
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"event.c"}), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, {"prefork.cc"}), "open_logs");
}

TEST(LabelForTest, PhaseOfEveryCheckpoint) {
  const std::vector<std::string_view> unknown = {"mod_unknown.c"};
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsFirst, unknown), "pre_config");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsAfterMpm, unknown), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kOpenLogsLast, unknown), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigFirst, unknown), "open_logs");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigBeforeSsl, unknown), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterSsl, unknown), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigAfterModule, unknown), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigBeforeWatchdog, unknown), "post_config");
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigLast, unknown), "post_config");
}

TEST(CheckpointNameTest, NamesAreDistinct) {
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsFirst), "open_logs-first");
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsAfterMpm), "open_logs-after-mpm");
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsLast), "open_logs-last");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigFirst), "post_config-first");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigBeforeSsl), "post_config-before-ssl");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigAfterSsl), "post_config-after-ssl");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigAfterModule), "post_config-after-module");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigBeforeWatchdog),
               "post_config-before-watchdog");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigLast), "post_config-last");
}

}  // namespace
}  // namespace semguard
