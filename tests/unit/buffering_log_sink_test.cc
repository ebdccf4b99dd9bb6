#include "base/buffering_log_sink.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace semguard {
namespace {

void RecordLine(void* baton, int level, const char* line) {
  static_cast<std::vector<std::string>*>(baton)->push_back(std::to_string(level) + " " + line);
}

TEST(BufferingLogSinkTest, KeepsTaggedLinesAndReplaysThemOnceInOrder) {
  std::vector<std::string> lines;
  BufferingLogSink sink(LogSink(&RecordLine, &lines), true);
  sink.Log(Level::kError, "SG00001", "first");
  sink.Debug("not kept");
  sink.Log(Level::kInfo, "SG00009", "second");
  sink.Replay();
  sink.Replay();
  sink.Log(Level::kError, "SG00005", "after");
  EXPECT_EQ(lines, (std::vector<std::string>{"3 SG00001: first", "7 not kept", "6 SG00009: second",
                                             "3 SG00001: first", "6 SG00009: second",
                                             "3 SG00005: after"}));
}

TEST(BufferingLogSinkTest, KeepsNothingWhenToldNotTo) {
  std::vector<std::string> lines;
  BufferingLogSink sink(LogSink(&RecordLine, &lines), false);
  sink.Log(Level::kError, "SG00001", "once");
  sink.Replay();
  EXPECT_EQ(lines, std::vector<std::string>{"3 SG00001: once"});
}

}  // namespace
}  // namespace semguard
