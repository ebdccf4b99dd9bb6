#include "os/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace semguard {

Status AcquireInstanceLock(const std::string& lock_path, int* fd_out) {
  UniqueFd fd(open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600));
  if (!fd.valid()) {
    if (errno == ELOOP) return Status::Invalid(lock_path + " is a symbolic link");
    return Status::FromErrno("open " + lock_path, errno);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + lock_path, errno);
  if (!S_ISREG(st.st_mode)) return Status::Invalid(lock_path + " is not a regular file");
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::Busy(lock_path + " is held by another live process of this instance");
    }
    return Status::FromErrno("flock " + lock_path, errno);
  }
  *fd_out = fd.release();
  return Status::Ok();
}

bool InstanceLockHeld(const std::string& lock_path) {
  UniqueFd fd(open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return false;
  if (flock(fd.get(), LOCK_SH | LOCK_NB) != 0) return errno == EWOULDBLOCK;
  flock(fd.get(), LOCK_UN);
  return false;
}

}  // namespace semguard
