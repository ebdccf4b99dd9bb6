// An in-memory semguard::FileSystem and Clock: files are strings with an owner and a mode,
// locks are flags, and any operation on any path can be made to fail with a chosen Status.
// Records every operation in order, so a test can pin what happened and in which order.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "os/file_system.h"

namespace semguard_test {

class FakeFileSystem : public semguard::FileSystem {
 public:
  struct File {
    std::string text;
    uid_t owner = 0;
    bool locked = false;  // some open descriptor holds its flock
    uint64_t ino = 0;     // its inode number: a new one each time the file is made
  };

  // ---- The files, as the test declares them. ----
  void Put(const std::string& path, std::string text, uid_t owner = 0) {
    files_[path] = File{std::move(text), owner, false, ++next_ino_};
  }
  bool Exists(const std::string& path) const { return files_.count(path) > 0; }
  std::string Text(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? "<missing>" : it->second.text;
  }
  // Another process holds the lock on `path`.
  void HoldLockElsewhere(const std::string& path) {
    File& f = files_[path];
    if (f.ino == 0) f.ino = ++next_ino_;
    f.locked = true;
  }
  // That other process is gone: its lock with it.
  void ReleaseLockElsewhere(const std::string& path) { files_[path].locked = false; }
  // The next calls of `op` ("LockFile", "ReadOwnedFile", "ReplaceFile", "OverwriteFile",
  // "Rename", "Remove") on `path` fail with `why` until Heal.
  void Fail(const std::string& op, const std::string& path, semguard::Status why) {
    failures_[op + " " + path] = std::move(why);
  }
  void Heal() { failures_.clear(); }

  // ---- What the code did: "LockFile /x.lock", "Rename /a /b", ... in order. ----
  const std::vector<std::string>& trace() const { return trace_; }
  int open_locks() const { return static_cast<int>(fds_.size()); }

  // ---- semguard::FileSystem ----
  semguard::Status LockFile(const std::string& path, int* fd_out) override {
    if (auto st = Begin("LockFile", path); !st.ok()) return st;
    File& f = files_[path];
    if (f.ino == 0) f.ino = ++next_ino_;
    if (f.locked) {
      return semguard::Status::Busy(path + " is held by another live process of this instance");
    }
    f.locked = true;
    *fd_out = next_fd_++;
    fds_[*fd_out] = path;
    return semguard::Status::Ok();
  }
  void CloseFile(int fd) override {
    trace_.push_back("CloseFile " + std::to_string(fd));
    auto it = fds_.find(fd);
    if (it == fds_.end()) return;
    auto file = files_.find(it->second);
    if (file != files_.end()) file->second.locked = false;
    fds_.erase(it);
  }
  semguard::Status Identify(int fd, semguard::FileId* out) override {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return semguard::Status::Io("fstat: bad descriptor");
    out->dev = kFakeDev;
    out->ino = files_[it->second].ino;
    return semguard::Status::Ok();
  }
  // The identity LockFile's descriptor of `path` would have now (0 when there is no file).
  semguard::FileId IdOf(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? semguard::FileId{} : semguard::FileId{kFakeDev, it->second.ino};
  }
  static constexpr uint64_t kFakeDev = 2049;

  semguard::Status ReadOwnedFile(const std::string& path, uid_t owner, size_t max_bytes,
                                 std::string* text) override {
    if (auto st = Begin("ReadOwnedFile", path); !st.ok()) return st;
    auto it = files_.find(path);
    if (it == files_.end()) return semguard::Status::NotFound(path + " does not exist");
    if (it->second.owner != owner) return semguard::Status::Invalid(path + " has another owner");
    if (it->second.text.size() > max_bytes)
      return semguard::Status::Invalid(path + " is oversized");
    *text = it->second.text;
    return semguard::Status::Ok();
  }
  semguard::Status ReplaceFile(const std::string& path, const std::string& text,
                               semguard::FolderSync sync) override {
    if (auto st = Begin("ReplaceFile", path); !st.ok()) return st;
    folder_syncs.push_back(sync == semguard::FolderSync::kYes);
    File& f = files_[path];
    f.text = text;
    f.owner = writer_uid;
    return semguard::Status::Ok();
  }
  semguard::Status OverwriteFile(const std::string& path, const std::string& text) override {
    if (auto st = Begin("OverwriteFile", path); !st.ok()) return st;
    auto it = files_.find(path);
    if (it == files_.end()) return semguard::Status::NotFound("open " + path);
    it->second.text = text;
    return semguard::Status::Ok();
  }
  semguard::Status Rename(const std::string& from, const std::string& to) override {
    if (auto st = Begin("Rename", from, to); !st.ok()) return st;
    auto it = files_.find(from);
    if (it == files_.end()) return semguard::Status::NotFound("rename " + from + ": no file");
    files_[to] = it->second;
    files_.erase(from);
    return semguard::Status::Ok();
  }
  semguard::Status Remove(const std::string& path) override {
    if (auto st = Begin("Remove", path); !st.ok()) return st;
    if (files_.erase(path) == 0) return semguard::Status::NotFound("unlink " + path);
    return semguard::Status::Ok();
  }
  semguard::Status ListFolder(const std::string& folder,
                              std::vector<std::string>* names) override {
    if (auto st = Begin("ListFolder", folder); !st.ok()) return st;
    names->clear();
    const std::string prefix = folder == "/" ? folder : folder + "/";
    for (const auto& entry : files_) {
      const std::string& path = entry.first;
      if (path.compare(0, prefix.size(), prefix) != 0) continue;
      if (path.find('/', prefix.size()) == std::string::npos) {
        names->push_back(path.substr(prefix.size()));
      }
    }
    return semguard::Status::Ok();
  }

  uid_t writer_uid = 0;  // who owns the files this fake writes
  std::vector<bool> folder_syncs;  // each ReplaceFile: whether it asked for the folder's fsync

 private:
  semguard::Status Begin(const std::string& op, const std::string& path,
                         const std::string& to = "") {
    trace_.push_back(op + " " + path + (to.empty() ? "" : " " + to));
    auto it = failures_.find(op + " " + path);
    return it == failures_.end() ? semguard::Status::Ok() : it->second;
  }

  std::map<std::string, File> files_;
  std::map<std::string, semguard::Status> failures_;
  std::map<int, std::string> fds_;
  std::vector<std::string> trace_;
  int next_fd_ = 1000;
  uint64_t next_ino_ = 500;
};

// A clock that says what the test sets.
class FakeClock : public semguard::Clock {
 public:
  explicit FakeClock(int64_t now = 1764600000) : now_(now) {}
  int64_t Now() const override { return now_; }
  void Set(int64_t now) { now_ = now; }

 private:
  int64_t now_;
};

}  // namespace semguard_test
