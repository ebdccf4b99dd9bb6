// Small file helpers shared by the unit tests: a self-removing temporary directory, and whole-file
// read and write.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace semguard_test {

// A fresh directory made by mkdtemp under /tmp, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/semguard-unit-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp under /tmp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);  // does not follow symbolic links
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside the directory.
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline bool FileExists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// The bytes of `path`, or `missing` when it cannot be read.
inline std::string ReadFileBytes(const std::string& path,
                                 const std::string& missing = "<unreadable>") {
  std::ifstream in(path, std::ios::binary);
  if (!in) return missing;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Creates or truncates `path` with exactly `content` and permission bits `mode`.
inline bool WriteFileBytes(const std::string& path, const std::string& content,
                           mode_t mode = 0600) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = fchmod(fd, mode) == 0 && ok;
  return close(fd) == 0 && ok;
}

// True when some process holds a flock on `lock_path` (tried with a shared, non-blocking lock).
inline bool InstanceLockHeld(const std::string& lock_path) {
  int fd = open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

}  // namespace semguard_test
