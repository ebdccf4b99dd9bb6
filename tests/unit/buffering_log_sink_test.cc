#include "base/buffering_log_sink.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/log_lines.h"

namespace semguard {
namespace {

TEST(BufferingLogSinkTest, KeepsTaggedLinesAndReplaysThemOnceInOrder) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), true);
  sink.Log(Level::kError, "SG00001", "first");
  sink.Debug("not kept");
  sink.Log(Level::kInfo, "SG00009", "second");
  sink.Replay();
  sink.Replay();
  sink.Log(Level::kError, "SG00005", "after");
  EXPECT_EQ(lines.all(), (std::vector<std::string>{"3 SG00001: first", "7 not kept", "6 SG00009: second",
                                             "3 SG00001: first", "6 SG00009: second",
                                             "3 SG00005: after"}));
}

TEST(BufferingLogSinkTest, KeepsNothingWhenToldNotTo) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), false);
  sink.Log(Level::kError, "SG00001", "once");
  sink.Replay();
  EXPECT_EQ(lines.all(), std::vector<std::string>{"3 SG00001: once"});
}

}  // namespace
}  // namespace semguard
