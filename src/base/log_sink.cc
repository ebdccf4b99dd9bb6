#include "base/log_sink.h"

namespace semguard {

void LogSink::Log(Level level, const char* tag, const std::string& message) const {
  if (fn_ == nullptr) return;
  std::string line = std::string(tag) + ": " + message;
  fn_(baton_, static_cast<int>(level), line.c_str());
}

void LogSink::Debug(const std::string& message) const {
  if (fn_ != nullptr) fn_(baton_, static_cast<int>(Level::kDebug), message.c_str());
}

}  // namespace semguard
