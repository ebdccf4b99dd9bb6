#include "base/buffering_log_sink.h"

namespace semguard {

void BufferingLogSink::Log(Level level, const char* tag, const std::string& message) {
  out_.Log(level, tag, message);
  if (keep_) kept_.push_back(Line{level, tag, message});
}

void BufferingLogSink::Replay() {
  keep_ = false;
  for (const Line& line : kept_) out_.Log(line.level, line.tag.c_str(), line.message);
  kept_.clear();
}

}  // namespace semguard
