// The real FileSystem and Clock, over POSIX calls.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "base/unique_fd.h"
#include "os/file_system.h"

namespace semguard {
namespace {

std::string Octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 07777);
  return buf;
}

Status CheckFileRules(const std::string& path, const struct stat& st, uid_t owner,
                      size_t max_bytes) {
  if (!S_ISREG(st.st_mode)) return Status::Invalid(path + " is not a regular file");
  if (st.st_uid != owner) {
    return Status::Invalid(path + " is owned by uid " + std::to_string(st.st_uid) +
                           ", not by uid " + std::to_string(owner));
  }
  if (st.st_mode & S_IWOTH) {
    return Status::Invalid(path + " is world-writable (mode " + Octal(st.st_mode) + ")");
  }
  if (st.st_mode & S_IWGRP) {
    return Status::Invalid(path + " is group-writable (mode " + Octal(st.st_mode) + ")");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::Invalid(path + " is oversized (" + std::to_string(st.st_size) +
                           " bytes, limit " + std::to_string(max_bytes) + ")");
  }
  return Status::Ok();
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write " + path, errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class PosixFileSystem final : public FileSystem {
 public:
  Status LockFile(const std::string& path, int* fd_out) override {
    UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600));
    if (!fd.valid()) {
      if (errno == ELOOP) return Status::Invalid(path + " is a symbolic link");
      return Status::FromErrno("open " + path, errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return Status::Invalid(path + " is not a regular file");
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Status::Busy(path + " is held by another live process of this instance");
      }
      return Status::FromErrno("flock " + path, errno);
    }
    *fd_out = fd.release();
    return Status::Ok();
  }

  void CloseFile(int fd) override { close(fd); }

  Status ReadOwnedFile(const std::string& path, uid_t owner, size_t max_bytes,
                       std::string* text) override {
    // O_NONBLOCK: a FIFO planted at the path must not hang the start.
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
      if (errno == ENOENT) return Status::NotFound(path + " does not exist");
      if (errno == ELOOP) return Status::Invalid(path + " is a symbolic link");
      return Status::FromErrno("open " + path, errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + path, errno);
    Status rules = CheckFileRules(path, st, owner, max_bytes);
    if (!rules.ok()) return rules;
    text->clear();
    char buf[8192];
    for (;;) {
      ssize_t n = read(fd.get(), buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno("read " + path, errno);
      if (n == 0) break;
      text->append(buf, static_cast<size_t>(n));
      if (text->size() > max_bytes) {
        return Status::Invalid(path + " is oversized (grew while read)");
      }
    }
    return Status::Ok();
  }

  Status ReplaceFile(const std::string& path, const std::string& text) override {
    const std::string tmp = path + ".tmp";
    // A temporary file left by a crash, or planted, is removed, never written through.
    if (unlink(tmp.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno("unlink " + tmp, errno);
    }
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return Status::FromErrno("create " + tmp, errno);
    Status st;
    if (fchmod(fd.get(), 0600) != 0) st = Status::FromErrno("fchmod " + tmp, errno);
    if (st.ok()) st = WriteAll(fd.get(), text, tmp);
    if (st.ok() && fsync(fd.get()) != 0) st = Status::FromErrno("fsync " + tmp, errno);
    if (st.ok() && fd.Close() != 0) st = Status::FromErrno("close " + tmp, errno);
    if (st.ok()) st = Rename(tmp, path);
    if (!st.ok()) {
      unlink(tmp.c_str());
      return st;
    }
    // The rename is durable only once the directory is synced.
    UniqueFd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid()) fsync(dir.get());
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) == 0) return Status::Ok();
    return Status::FromErrno("rename " + from + " to " + to, errno);
  }

  Status Remove(const std::string& path) override {
    if (unlink(path.c_str()) == 0) return Status::Ok();
    return Status::FromErrno("unlink " + path, errno);
  }
};

class WallClock final : public Clock {
 public:
  int64_t Now() const override { return static_cast<int64_t>(time(nullptr)); }
};

}  // namespace

FileSystem& RealFileSystem() {
  static PosixFileSystem files;
  return files;
}

const Clock& RealClock() {
  static const WallClock clock;
  return clock;
}

}  // namespace semguard
