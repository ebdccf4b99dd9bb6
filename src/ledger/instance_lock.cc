#include "ledger/instance_lock.h"

#include <cstdio>

#include "base/file_names.h"

namespace semguard {

std::string InstanceLock::HeldLedger() const {
  return held() ? LedgerPathOfLock(held_->path) : "";
}

Status InstanceLock::Take(const std::string& ledger_path) {
  const std::string lock_path = LockPathOf(ledger_path);
  if (held() && lock_path == held_->path) return Status::Ok();
  Release();  // SemGuardLedger changed on restart: move the lock along
  int fd = -1;
  Status st = files_->LockFile(lock_path, &fd);
  if (!st.ok()) return st;
  held_->fd = fd;
  std::snprintf(held_->path, sizeof(held_->path), "%s", lock_path.c_str());
  return Status::Ok();
}

FileId InstanceLock::Identity() const {
  FileId id;
  if (!held() || !files_->Identify(held_->fd, &id).ok()) return FileId{};
  return id;
}

void InstanceLock::Release() {
  if (!held()) return;
  files_->CloseFile(held_->fd);
  held_->fd = -1;
}

}  // namespace semguard
