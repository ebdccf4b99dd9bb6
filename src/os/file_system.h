// The seam over files and folders that the instance lock and the ledger store use, so that every
// one of their failure paths has a unit test (tests/unit/fakes/fake_file_system.h). The real
// implementation is RealFileSystem(); it holds no policy beyond refusing unsafe files.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/file_id.h"
#include "base/status.h"

namespace semguard {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` (creating it, mode 0600, never through a symlink, close-on-exec) and takes an
  // exclusive flock without waiting. Busy when another open file holds the lock. On success
  // *fd_out is the descriptor to keep open for as long as the lock is wanted.
  virtual Status LockFile(const std::string& path, int* fd_out) = 0;
  // Closes a descriptor from LockFile, which lets the lock go.
  virtual void CloseFile(int fd) = 0;
  // The identity (st_dev, st_ino) of the file a LockFile descriptor holds open.
  virtual Status Identify(int fd, FileId* out) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return Status::Io("fstat of the instance lock failed");
    out->dev = static_cast<uint64_t>(st.st_dev);
    out->ino = static_cast<uint64_t>(st.st_ino);
    return Status::Ok();
  }
  // The whole of `path`: NotFound when there is none; refused (Invalid) when it is a symlink,
  // not a regular file, not owned by `owner`, group- or world-writable, or over `max_bytes`.
  virtual Status ReadOwnedFile(const std::string& path, uid_t owner, size_t max_bytes,
                               std::string* text) = 0;
  // Replaces `path` with `text` atomically and durably: "<path>.tmp" (mode 0600, never through a
  // symlink), fsync, rename over `path`, fsync of the folder.
  virtual Status ReplaceFile(const std::string& path, const std::string& text) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // NotFound when there is nothing to remove.
  virtual Status Remove(const std::string& path) = 0;
};

// The process-wide real implementation.
FileSystem& RealFileSystem();

// The wall clock, behind a seam so that the times written into the ledger and shown on the
// status page can be pinned in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() const = 0;  // seconds since the epoch
};

const Clock& RealClock();

}  // namespace semguard
