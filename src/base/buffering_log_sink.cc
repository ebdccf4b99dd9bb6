#include "base/buffering_log_sink.h"

namespace semguard {

void BufferingLogSink::Log(Level level, const char* tag, const std::string& message) {
  const bool at_once = early_ == EarlyLines::kLogAtOnce ||
                       (early_ == EarlyLines::kKeepRoutine && level <= Level::kWarn);
  if (at_once) out_.Log(level, tag, message);
  if (early_ != EarlyLines::kLogAtOnce) kept_.push_back(Line{level, tag, message});
}

void BufferingLogSink::Replay() {
  early_ = EarlyLines::kLogAtOnce;
  for (const Line& line : kept_) out_.Log(line.level, line.tag.c_str(), line.message);
  kept_.clear();
}

}  // namespace semguard
