// MakeCleanupInput serves any caller: who it is comes in as CleanupCaller, nothing is read from
// "self".
#include "cleanup/cleanup_input.h"

#include <gtest/gtest.h>

#include "support/sample_ledger.h"

namespace semguard {
namespace {

TEST(CleanupInputTest, TakesTheCallerAndTheSettingsAsGiven) {
  Settings settings;
  settings.ledger_path = "/run/a.ledger";
  settings.cleanup = CleanupMode::kReport;
  settings.adopt = AdoptMode::kRemove;
  settings.user = 33;
  settings.group = 34;
  CleanupCaller caller;
  caller.pid = 4242;
  caller.exe = "/opt/httpd/bin/httpd";
  caller.starter = 0;
  const Ledger previous = semguard_test::SampleLedger();

  CleanupInput in = MakeCleanupInput(settings, &previous, caller);
  EXPECT_EQ(in.mode, CleanupMode::kReport);
  EXPECT_EQ(in.adopt, AdoptMode::kRemove);
  EXPECT_EQ(in.previous, &previous);
  EXPECT_EQ(in.self, 4242);
  EXPECT_EQ(in.self_exe, "/opt/httpd/bin/httpd");
  EXPECT_EQ(in.own_lock_path, "/run/a.ledger.lock");
  EXPECT_EQ(in.ledger_owner, 0u);
  EXPECT_EQ(in.shape.starter_uid, 0u);
  EXPECT_EQ(in.shape.user, 33u);
  EXPECT_EQ(in.shape.group, 34u);
  EXPECT_EQ(in.sets_per_run, static_cast<int>(previous.sets.size()));
  EXPECT_TRUE(in.own_sets.empty());
}

TEST(CleanupInputTest, NoPreviousLedgerMeansNoSetsPerRun) {
  Settings settings;
  settings.ledger_path = "/run/a.ledger";
  CleanupInput in = MakeCleanupInput(settings, nullptr, CleanupCaller{});
  EXPECT_EQ(in.previous, nullptr);
  EXPECT_EQ(in.sets_per_run, 0);
}

}  // namespace
}  // namespace semguard
