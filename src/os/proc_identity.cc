#include "os/proc_identity.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "os/proc_files.h"

namespace semguard {
namespace {

template <typename T>
bool ToNumber(const std::string& s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Status ParseProcStat(const std::string& text, ProcStat* out) {
  // "pid (comm) state ppid pgrp session ...": comm ends at the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return Status::Corrupt("no ')' after the command name");
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  std::string field;
  while (rest >> field) fields.push_back(field);
  if (fields.size() < 20) return Status::Corrupt("fewer than 22 fields");
  ProcStat st;
  st.state = fields[0].empty() ? '?' : fields[0][0];
  if (!ToNumber(fields[1], &st.ppid) || !ToNumber(fields[3], &st.session) ||
      !ToNumber(fields[19], &st.start_time)) {
    return Status::Corrupt("a numeric field does not parse");
  }
  *out = st;
  return Status::Ok();
}

Status ReadProcStat(pid_t pid, ProcStat* out, const std::string& proc_root) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/stat";
  std::string text;
  if (!ReadSmallFile(path, &text)) return Status::NotFound(path + ": no such process");
  Status st = ParseProcStat(text, out);
  if (!st.ok()) return Status::Corrupt(path + ": " + st.message());
  return Status::Ok();
}

Status ReadProcessIdentity(pid_t pid, ProcessIdentity* out, const std::string& proc_root) {
  ProcStat stat;
  Status st = ReadProcStat(pid, &stat, proc_root);
  if (!st.ok()) return st;
  ProcessIdentity id;
  id.pid = pid;
  id.start_time = stat.start_time;
  id.session = stat.session;
  std::string ns_path = proc_root + "/" + std::to_string(pid) + "/ns/pid";
  // "pid:[4026531836]"; a made-up namespace would later read as "another process".
  const std::string s = ReadLinkTarget(ns_path);
  size_t open = s.find('['), close = s.find(']');
  if (open == std::string::npos || close == std::string::npos || close <= open + 1 ||
      !ToNumber(s.substr(open + 1, close - open - 1), &id.pid_ns)) {
    return Status::Io("cannot read the pid namespace of pid " + std::to_string(pid) + " (" +
                      ns_path + ")");
  }
  id.boot_id = ReadBootId(proc_root);
  *out = id;
  return Status::Ok();
}

std::string ReadBootId(const std::string& proc_root) {
  std::string text;
  if (!ReadSmallFile(proc_root + "/sys/kernel/random/boot_id", &text)) return "unknown";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown" : text;
}

int64_t ReadBootTime(const std::string& proc_root) {
  std::string text;
  if (!ReadSmallFile(proc_root + "/stat", &text)) return 0;
  size_t at = text.find("\nbtime ");
  if (at == std::string::npos) return 0;
  int64_t boot = 0;
  std::istringstream(text.substr(at + 7)) >> boot;
  return boot;
}

}  // namespace semguard
