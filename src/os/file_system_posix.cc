// The real FileSystem and Clock, over POSIX calls.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <ctime>
#include <deque>

#include "base/file_names.h"
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

std::vector<std::string> Steps(const std::string& path) {
  std::vector<std::string> steps;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at) steps.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return steps;
}

// Walks `folder` from / one step at a time with lstat, following symbolic links by their text
// (at most 40), and judges every folder it passes through (JudgeFolder). A link can only be
// changed by whoever may write the folder that holds it, which the walk has judged already.
Status CheckFolderChain(const std::string& folder, uid_t starter) {
  if (folder.empty() || folder[0] != '/') {
    return Status::Invalid("the ledger folder " + folder + " is not an absolute path");
  }
  std::deque<std::string> todo;
  for (const std::string& step : Steps(folder)) todo.push_back(step);
  std::string done;  // resolved so far, free of links; "" is /
  int links = 0;
  auto judge = [&](const std::string& path, const struct stat& st) {
    FolderFacts facts{S_ISDIR(st.st_mode), st.st_uid, static_cast<unsigned>(st.st_mode & 07777)};
    return JudgeFolder(path.empty() ? "/" : path, facts, starter, todo.empty());
  };
  struct stat st {};
  if (lstat("/", &st) != 0) return Status::FromErrno("lstat /", errno);
  if (Status root = judge("", st); !root.ok()) return root;
  while (!todo.empty()) {
    std::string step = todo.front();
    todo.pop_front();
    if (step == ".") continue;
    if (step == "..") {
      done = DirName(done.empty() ? "/" : done);
      if (done == "/") done.clear();
      continue;
    }
    const std::string next = done + "/" + step;
    if (lstat(next.c_str(), &st) != 0) return Status::FromErrno("lstat " + next, errno);
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) return Status::Invalid(folder + ": too many symbolic links");
      char target[4096];
      ssize_t n = readlink(next.c_str(), target, sizeof(target) - 1);
      if (n <= 0) return Status::FromErrno("readlink " + next, errno);
      std::vector<std::string> more = Steps(std::string(target, static_cast<size_t>(n)));
      todo.insert(todo.begin(), more.begin(), more.end());
      if (target[0] == '/') done.clear();
      continue;
    }
    if (Status ok = judge(next, st); !ok.ok()) return ok;
    done = next;
  }
  return Status::Ok();
}

Status CheckFolderOf(const std::string& path) { return CheckFolderChain(DirName(path), geteuid()); }

// `path` + `infix` + 16 hex digits from getrandom(2); before the kernel has entropy (early
// boot), from the clock and pid: O_EXCL makes any name safe, randomness only makes it unknown.
bool RandomName(const std::string& path, const char* infix, std::string* out) {
  uint64_t bits = 0;
  if (getrandom(&bits, sizeof(bits), GRND_NONBLOCK) != static_cast<ssize_t>(sizeof(bits))) {
    static uint64_t counter = 0;
    struct timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    bits = (static_cast<uint64_t>(ts.tv_nsec) << 20) ^ static_cast<uint64_t>(ts.tv_sec) ^
           (static_cast<uint64_t>(getpid()) << 40) ^ ++counter;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(bits));
  *out = path + infix + hex;
  return true;
}

// Whatever is at `path` that is not a regular file: a symlink or FIFO is removed (only the
// name, never what a link points to), a folder renamed aside to "<path>.planted.<hex>".
Status MoveAside(const std::string& path, const struct stat& st) {
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    return Status::FromErrno("unlink " + path, errno);
  }
  std::string aside;
  if (!RandomName(path, ".planted.", &aside)) return Status::Invalid("no random name for " + path);
  if (rename(path.c_str(), aside.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return Status::FromErrno("rename " + path + " to " + aside, errno);
}

class PosixFileSystem final : public FileSystem {
 public:
  Status LockFile(const std::string& path, int* fd_out) override {
    if (Status folder = CheckFolderOf(path); !folder.ok()) return folder;
    // Twice at most: once more after moving a planted name out of the way.
    for (int attempt = 0;; ++attempt) {
      struct stat found {};
      if (lstat(path.c_str(), &found) == 0 && !S_ISREG(found.st_mode)) {
        if (attempt > 0) return Status::Invalid(path + " is not a regular file");
        if (Status moved = MoveAside(path, found); !moved.ok()) return moved;
        continue;
      }
      // Read-only: the children inherit this descriptor (that is the lock's proof), and code in
      // a child must not be able to write the ledger's spare copy through it.
      UniqueFd fd(open(path.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600));
      if (!fd.valid()) {
        if ((errno == ELOOP || errno == EISDIR) && attempt == 0) continue;  // planted just now
        return Status::FromErrno("open " + path, errno);
      }
      struct stat st {};
      if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + path, errno);
      if (!S_ISREG(st.st_mode)) {
        if (attempt == 0) continue;
        return Status::Invalid(path + " is not a regular file");
      }
      if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
          return Status::Busy(path + " is held by another live process of this instance");
        }
        return Status::FromErrno("flock " + path, errno);
      }
      *fd_out = fd.release();
      return Status::Ok();
    }
  }

  void CloseFile(int fd) override { close(fd); }

  Status ReadOwnedFile(const std::string& path, uid_t owner, size_t max_bytes,
                       std::string* text) override {
    if (Status folder = CheckFolderOf(path); !folder.ok()) return folder;
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

  Status ReplaceFile(const std::string& path, const std::string& text,
                     FolderSync sync) override {
    if (Status folder = CheckFolderOf(path); !folder.ok()) return folder;
    // A random name, created exclusively: nothing planted at a name can stop the write, and a
    // name can never be written through (O_EXCL refuses a link even to a missing file).
    std::string tmp;
    int made = -1;
    for (int attempt = 0; attempt < 8 && made < 0; ++attempt) {
      if (!RandomName(path, std::string(kTemporaryInfix).c_str(), &tmp)) return Status::Invalid("no random name for " + path);
      made = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (made < 0 && errno != EEXIST) return Status::FromErrno("create " + tmp, errno);
    }
    if (made < 0) return Status::Invalid("create " + path + ".tmp.*: every name was taken");
    UniqueFd fd(made);
    Status st;
    if (fchmod(fd.get(), 0600) != 0) st = Status::FromErrno("fchmod " + tmp, errno);
    if (st.ok()) st = WriteAll(fd.get(), text, tmp);
    if (st.ok() && fsync(fd.get()) != 0) st = Status::FromErrno("fsync " + tmp, errno);
    if (st.ok() && fd.Close() != 0) st = Status::FromErrno("close " + tmp, errno);
    if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
      st = Status::FromErrno("rename " + tmp + " to " + path, errno);
    }
    if (!st.ok()) {
      unlink(tmp.c_str());
      return st;
    }
    // The rename is durable only once the folder is synced. A caller may skip that when losing
    // the rename costs nothing: a ledger write that names no set the last one lacked (see
    // Recorder::WriteLedger). A killed process loses nothing either way: what it wrote and
    // renamed is in the page cache.
    if (sync == FolderSync::kYes) {
      UniqueFd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (dir.valid()) fsync(dir.get());
    }
    return Status::Ok();
  }

  Status OverwriteFile(const std::string& path, const std::string& text) override {
    if (Status folder = CheckFolderOf(path); !folder.ok()) return folder;
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return Status::FromErrno("open " + path, errno);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + path, errno);
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
      return Status::Invalid(path + " is not a regular file of this user");
    }
    if (ftruncate(fd.get(), 0) != 0) return Status::FromErrno("ftruncate " + path, errno);
    return WriteAll(fd.get(), text, path);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (Status folder = CheckFolderOf(from); !folder.ok()) return folder;
    if (Status folder = CheckFolderOf(to); !folder.ok()) return folder;
    if (rename(from.c_str(), to.c_str()) == 0) return Status::Ok();
    return Status::FromErrno("rename " + from + " to " + to, errno);
  }

  Status Remove(const std::string& path) override {
    if (Status folder = CheckFolderOf(path); !folder.ok()) return folder;
    if (unlink(path.c_str()) == 0) return Status::Ok();
    return Status::FromErrno("unlink " + path, errno);
  }

  Status ListFolder(const std::string& folder, std::vector<std::string>* names) override {
    if (Status st = CheckFolderChain(folder, geteuid()); !st.ok()) return st;
    DIR* dir = opendir(folder.c_str());
    if (dir == nullptr) return Status::FromErrno("opendir " + folder, errno);
    names->clear();
    while (const struct dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names->push_back(name);
    }
    closedir(dir);
    return Status::Ok();
  }
};

class WallClock final : public Clock {
 public:
  int64_t Now() const override { return static_cast<int64_t>(time(nullptr)); }
};

}  // namespace

Status JudgeFolder(const std::string& folder, const FolderFacts& facts, uid_t starter,
                   bool holds_the_file) {
  const std::string which = holds_the_file ? "the ledger folder " : "the ledger's parent folder ";
  const std::string rule = " (only root or uid " + std::to_string(starter) +
                           " may own or write the ledger folder and the folders above it; "
                           "see docs/operations.md, ledger folder rules)";
  if (!facts.is_dir) return Status::Invalid(which + folder + " is not a directory");
  if (facts.owner != 0 && facts.owner != starter) {
    return Status::Invalid("refusing " + which + folder + ": it is owned by uid " +
                           std::to_string(facts.owner) + ", who can write to it" + rule);
  }
  const bool others_write = (facts.mode & 022) != 0;
  const bool sticky = (facts.mode & S_ISVTX) != 0;
  if (others_write && (holds_the_file || !sticky)) {
    return Status::Invalid("refusing " + which + folder + ": it is writable by " +
                           ((facts.mode & 002) ? "every user" : "its group") + " (mode " +
                           Octal(facts.mode) + (sticky ? ", sticky" : "") + ")" + rule);
  }
  return Status::Ok();
}

FileSystem& RealFileSystem() {
  static PosixFileSystem files;
  return files;
}

std::string CanonicalPath(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return path;
  std::string out(resolved);
  free(resolved);
  return out;
}

const Clock& RealClock() {
  static const WallClock clock;
  return clock;
}

}  // namespace semguard
