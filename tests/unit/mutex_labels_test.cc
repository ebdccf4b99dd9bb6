#include "module/mutex_labels.h"

#include <string>
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
  EXPECT_EQ(LabelFor(Checkpoint::kPostConfigLast, unknown), "post_config");
}

TEST(CheckpointNameTest, NamesAreDistinct) {
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsFirst), "open_logs-first");
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsAfterMpm), "open_logs-after-mpm");
  EXPECT_STREQ(CheckpointName(Checkpoint::kOpenLogsLast), "open_logs-last");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigFirst), "post_config-first");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigBeforeSsl), "post_config-before-ssl");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigAfterSsl), "post_config-after-ssl");
  EXPECT_STREQ(CheckpointName(Checkpoint::kPostConfigLast), "post_config-last");
}

}  // namespace
}  // namespace semguard
