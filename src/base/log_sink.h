// The core's only voice: an installable sink. The glue installs one that calls ap_log_error;
// unit tests install one that records lines. Every line an operator can act on carries its own
// tag, "SGnnnnn: ", one per call site (see docs/log-messages.md; next free number in
// src/log_tag_next).
#pragma once

#include <string>

namespace semguard {

// Same numbering as syslog and httpd's APLOG_* levels, so the glue maps them one to one.
enum class Level { kEmerg = 0, kAlert, kCrit, kError, kWarn, kNotice, kInfo, kDebug };

using LogFn = void (*)(void* baton, int level, const char* line);

class LogSink {
 public:
  LogSink() = default;
  LogSink(LogFn fn, void* baton) : fn_(fn), baton_(baton) {}

  // `tag` is a literal "SGnnnnn"; the line becomes "SGnnnnn: message".
  void Log(Level level, const char* tag, const std::string& message) const;
  // Untagged, for debug lines only.
  void Debug(const std::string& message) const;

 private:
  LogFn fn_ = nullptr;
  void* baton_ = nullptr;
};

}  // namespace semguard
