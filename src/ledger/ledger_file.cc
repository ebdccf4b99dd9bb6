#include "ledger/ledger_file.h"

#include <cstdio>

#include "base/crc32c.h"
#include "base/file_names.h"

namespace semguard {

namespace {

// The spare copy in the lock file, when it holds a valid ledger; else `missing` as it was.
Status ReadSpareCopy(const std::string& path, uid_t expected_owner, const Status& missing,
                     FileSystem& files, std::string* text) {
  Ledger probe;
  if (files.ReadOwnedFile(LockPathOf(path), expected_owner, kLedgerMaxBytes, text).ok() &&
      !text->empty() && DecodeLedger(*text, &probe).ok()) {
    return Status::Ok();
  }
  return missing;
}

}  // namespace

Status ReadLedgerFile(const std::string& path, uid_t expected_owner, Ledger* out,
                      uint32_t* crc_out, FileSystem& files) {
  std::string text;
  Status st = files.ReadOwnedFile(path, expected_owner, kLedgerMaxBytes, &text);
  if (st.code() == Status::Code::kNotFound) {
    st = ReadSpareCopy(path, expected_owner, st, files, &text);
  }
  if (!st.ok()) return st;
  Status decoded = DecodeLedger(text, out);
  if (!decoded.ok()) return Status::Corrupt(path + ": " + decoded.message());
  if (crc_out != nullptr) *crc_out = Crc32c(text);
  return Status::Ok();
}

Status WriteLedgerFile(const std::string& path, const Ledger& ledger, uint32_t* crc_out,
                       FileSystem& files, FolderSync sync) {
  const std::string text = EncodeLedger(ledger);
  Status st = files.ReplaceFile(path, text, sync);
  if (!st.ok()) return st;
  if (crc_out != nullptr) *crc_out = Crc32c(text);
  // The spare copy, in the lock file the server holds open: a ledger renamed or deleted under
  // a live server is still read (ReadLedgerFile). No lock file yet: no copy, nothing wrong.
  files.OverwriteFile(LockPathOf(path), text);
  return st;
}

std::string DefaultLedgerName(const std::string& server_root, const std::string& config_file) {
  // FNV-1a 64 of "root\0file": stable across runs and versions, unlike std::hash.
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](unsigned char c) {
    hash ^= c;
    hash *= 1099511628211ull;
  };
  for (unsigned char c : server_root) mix(c);
  mix(0);
  for (unsigned char c : config_file) mix(c);
  char name[64];
  std::snprintf(name, sizeof(name), "semguard-%016llx.ledger",
                static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace semguard
