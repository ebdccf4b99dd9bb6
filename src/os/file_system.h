// The seam over files and folders that the instance lock and the ledger store use, so that every
// one of their failure paths has a unit test (tests/unit/fakes/fake_file_system.h). The real
// implementation is RealFileSystem(); it holds no policy beyond refusing unsafe files.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/file_id.h"
#include "base/status.h"

namespace semguard {

// The folder rule (like sshd's StrictModes), checked by the real implementation before every
// operation below: the folder that holds the file, and every folder above it up to /, must be
// a directory owned by root or by `starter` (the user who starts httpd). The file's own folder
// must not be writable by its group or others, sticky or not: anyone who can write there can
// rename a ledger away or plant a name. A folder above it may be world-writable only with the
// sticky bit (/tmp): then no other user can rename or remove the entry below it, whose owner
// the rule checks next. Symbolic links on the way are followed, and the folders they lead
// through are checked the same way. Invalid, naming the folder and why, when refused.
struct FolderFacts {
  bool is_dir = true;
  uid_t owner = 0;
  unsigned mode = 0755;  // st_mode's permission bits, with the sticky bit
};
Status JudgeFolder(const std::string& folder, const FolderFacts& facts, uid_t starter,
                   bool holds_the_file);

// Whether a file replaced must stay replaced if the filesystem loses what was not synced while
// the kernel lives on (an I/O error, a forced shutdown and a remount under a running server).
enum class FolderSync { kYes, kNo };

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` (creating it, mode 0600, never through a symlink, close-on-exec) and takes an
  // exclusive flock without waiting. Busy when another open file holds the lock. Anything
  // else found at `path` (a symlink, a FIFO, a folder) is moved out of the way first: it is no
  // lock any process can hold, and must not make the server go without one. On success
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
  // Replaces `path` with `text` atomically: a new file of a random name
  // "<path>.tmp.<16 hex digits>" (O_EXCL, mode 0600), fsync, rename over `path`, and with
  // FolderSync::kYes an fsync of the folder, so the rename itself outlives a lost filesystem.
  // Nothing planted at a name can stop it: no name is fixed.
  virtual Status ReplaceFile(const std::string& path, const std::string& text,
                             FolderSync sync) = 0;
  // Writes `text` over the content of the existing regular file `path`, in place: never
  // creating it, never through a symlink, only a file this user owns. The ledger keeps its spare
  // copy in its lock file this way (WriteLedgerFile).
  virtual Status OverwriteFile(const std::string& path, const std::string& text) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // NotFound when there is nothing to remove.
  virtual Status Remove(const std::string& path) = 0;
  // The names in `folder` (no "." or ".."), after the folder rule above.
  virtual Status ListFolder(const std::string& folder, std::vector<std::string>* names) = 0;
};

// The process-wide real implementation.
FileSystem& RealFileSystem();

// `path` with every symbolic link, "." and ".." resolved (realpath(3)); `path` itself when that
// fails (it does not exist, or cannot be reached).
std::string CanonicalPath(const std::string& path);

// The wall clock, behind a seam so that the times written into the ledger and shown on the
// status page can be pinned in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t Now() const = 0;  // seconds since the epoch
};

const Clock& RealClock();

}  // namespace semguard
