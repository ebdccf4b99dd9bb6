#include "ledger/ledger_store.h"

#include <algorithm>

#include "base/file_names.h"
#include "ledger/ledger_file.h"

namespace semguard {

LoadedLedger LedgerStore::Load(const std::string& path) const {
  LoadedLedger out;
  out.path = path;
  out.status = ReadLedgerFile(path, owner_, &out.ledger, &out.crc, *files_);
  return out;
}

Status LedgerStore::Write(const std::string& path, const Ledger& ledger, uint32_t* crc_out,
                          FolderSync sync) const {
  return WriteLedgerFile(path, ledger, crc_out, *files_, sync);
}

Status LedgerStore::Quarantine(const std::string& path) const {
  return files_->Rename(path, QuarantinePathOf(path));
}

void LedgerStore::RemoveMoved(const std::string& old_path) const {
  files_->Remove(old_path);
  files_->Remove(LockPathOf(old_path));
}

int LedgerStore::RemoveStaleTemporaries(const std::string& path) const {
  const size_t slash = path.rfind('/');
  const std::string prefix = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string folder = prefix.empty() ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::vector<std::string> names;
  if (!files_->ListFolder(folder, &names).ok()) return 0;
  int removed = 0;
  for (const std::string& entry : names) {
    if (IsTemporaryOf(entry, path.substr(prefix.size())) && files_->Remove(prefix + entry).ok()) {
      ++removed;
    }
  }
  return removed;
}

void KeepLiveSets(const std::map<int, SemSet>& now, std::vector<RecordedSet>* recorded) {
  auto gone = [&now](const RecordedSet& r) {
    auto it = now.find(r.set.semid);
    return it == now.end() || !SameIdentity(r.set, it->second);
  };
  recorded->erase(std::remove_if(recorded->begin(), recorded->end(), gone), recorded->end());
}

}  // namespace semguard
