#include "base/status.h"

#include <cerrno>
#include <cstring>

namespace semguard {

Status Status::FromErrno(const std::string& context, int err) {
  std::string msg = context + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case EINVAL:
    case EIDRM:
      return Status(Code::kNotFound, std::move(msg));
    case EWOULDBLOCK:
      return Status(Code::kBusy, std::move(msg));
    default:
      return Status(Code::kIo, std::move(msg));
  }
}

}  // namespace semguard
