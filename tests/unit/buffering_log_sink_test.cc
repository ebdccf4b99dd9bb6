#include "base/buffering_log_sink.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/log_lines.h"

namespace semguard {
namespace {

using Lines = std::vector<std::string>;

// The first pass, whose stderr is the terminal: problems at once and again into the ErrorLog,
// routine lines only into the ErrorLog.
TEST(BufferingLogSinkTest, OnTheTerminalOnlyProblemsGoOutAtOnce) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), EarlyLines::kKeepRoutine);
  sink.Log(Level::kNotice, "SG00017", "summary");
  sink.Log(Level::kWarn, "SG00021", "nearly full");
  sink.Log(Level::kInfo, "SG00009", "recorded");
  sink.Log(Level::kError, "SG00001", "busy");
  const Lines at_once = {"4 SG00021: nearly full", "3 SG00001: busy"};
  EXPECT_EQ(lines.all(), at_once);
  sink.Replay();
  sink.Replay();
  sink.Log(Level::kInfo, "SG00009", "after");
  Lines expected = at_once;
  for (const char* l : {"5 SG00017: summary", "4 SG00021: nearly full", "6 SG00009: recorded",
                        "3 SG00001: busy", "6 SG00009: after"}) {
    expected.push_back(l);
  }
  EXPECT_EQ(lines.all(), expected);
}

TEST(BufferingLogSinkTest, DebugLinesAreNeverKept) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), EarlyLines::kKeepRoutine);
  sink.Debug("live only");
  sink.Replay();
  EXPECT_EQ(lines.all(), (Lines{"7 live only"}));
}

// The first generation, whose stderr is /dev/null or the ErrorLog itself: each line once.
TEST(BufferingLogSinkTest, WithoutATerminalEveryLineWaitsForTheErrorLog) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), EarlyLines::kKeepAll);
  sink.Log(Level::kError, "SG00001", "busy");
  sink.Log(Level::kNotice, "SG00026", "moved");
  EXPECT_TRUE(lines.all().empty());
  sink.Replay();
  EXPECT_EQ(lines.all(), (Lines{"3 SG00001: busy", "5 SG00026: moved"}));
}

TEST(BufferingLogSinkTest, KeepsNothingOnceTheErrorLogIsStderr) {
  semguard_test::LogLines lines;
  BufferingLogSink sink(lines.Sink(), EarlyLines::kLogAtOnce);
  sink.Log(Level::kError, "SG00001", "once");
  sink.Log(Level::kNotice, "SG00017", "once too");
  sink.Replay();
  EXPECT_EQ(lines.all(), (Lines{"3 SG00001: once", "5 SG00017: once too"}));
}

}  // namespace
}  // namespace semguard
