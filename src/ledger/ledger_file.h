// The ledger on disk: refuse anything suspicious on read, replace atomically on write. Through
// the FileSystem seam, so a test can make any step fail.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"
#include "ledger/ledger_format.h"
#include "os/file_system.h"

namespace semguard {

inline constexpr size_t kLedgerMaxBytes = 1 << 20;

// Reads and decodes `path`; when there is no file at `path`, the spare copy that WriteLedgerFile
// keeps in "<path>.lock", if that holds a valid ledger. NotFound when neither is there. Refuses (Corrupt or Invalid, with a
// sentence naming the problem) a symlink, anything but a regular file, a file not owned by
// `expected_owner`, a group- or world-writable file, one over kLedgerMaxBytes, and anything
// DecodeLedger rejects. `crc_out`, when given, receives the checksum of the whole file.
Status ReadLedgerFile(const std::string& path, uid_t expected_owner, Ledger* out,
                      uint32_t* crc_out = nullptr, FileSystem& files = RealFileSystem());

// Replaces `path` atomically (FileSystem::ReplaceFile), then writes the same text over the
// content of "<path>.lock" when that exists (the spare copy; a failure there is no failure).
// `crc_out` receives the checksum of what was written.
Status WriteLedgerFile(const std::string& path, const Ledger& ledger, uint32_t* crc_out = nullptr,
                       FileSystem& files = RealFileSystem(),
                       FolderSync sync = FolderSync::kYes);

// The default ledger file name for an instance: distinct for every ServerRoot + config file pair.
std::string DefaultLedgerName(const std::string& server_root, const std::string& config_file);

}  // namespace semguard
