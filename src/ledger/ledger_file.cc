#include "ledger/ledger_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/crc32c.h"
#include "base/unique_fd.h"

namespace semguard {
namespace {

std::string Octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 07777);
  return buf;
}

Status CheckFileRules(const std::string& path, const struct stat& st, uid_t expected_owner) {
  if (!S_ISREG(st.st_mode)) return Status::Invalid(path + " is not a regular file");
  if (st.st_uid != expected_owner) {
    return Status::Invalid(path + " is owned by uid " + std::to_string(st.st_uid) +
                           ", not by uid " + std::to_string(expected_owner));
  }
  if (st.st_mode & S_IWOTH) return Status::Invalid(path + " is world-writable (mode " + Octal(st.st_mode) + ")");
  if (st.st_mode & S_IWGRP) return Status::Invalid(path + " is group-writable (mode " + Octal(st.st_mode) + ")");
  if (static_cast<uint64_t>(st.st_size) > kLedgerMaxBytes) {
    return Status::Invalid(path + " is oversized (" + std::to_string(st.st_size) +
                           " bytes, limit " + std::to_string(kLedgerMaxBytes) + ")");
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

}  // namespace

Status ReadLedgerFile(const std::string& path, uid_t expected_owner, Ledger* out,
                      uint32_t* crc_out) {
  // O_NONBLOCK: a FIFO planted at the path must not hang the start.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    if (errno == ELOOP) return Status::Invalid(path + " is a symbolic link");
    return Status::FromErrno("open " + path, errno);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat " + path, errno);
  Status rules = CheckFileRules(path, st, expected_owner);
  if (!rules.ok()) return rules;

  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read " + path, errno);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kLedgerMaxBytes) return Status::Invalid(path + " is oversized (grew while read)");
  }
  Status decoded = DecodeLedger(text, out);
  if (!decoded.ok()) return Status::Corrupt(path + ": " + decoded.message());
  if (crc_out != nullptr) *crc_out = Crc32c(text);
  return Status::Ok();
}

Status WriteLedgerFile(const std::string& path, const Ledger& ledger, uint32_t* crc_out) {
  const std::string text = EncodeLedger(ledger);
  const std::string tmp = path + ".tmp";
  // A temporary file left by a crash, or planted, is removed, never written through.
  if (unlink(tmp.c_str()) != 0 && errno != ENOENT) return Status::FromErrno("unlink " + tmp, errno);
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno("create " + tmp, errno);
  Status st = fchmod(fd.get(), 0600) == 0 ? Status::Ok() : Status::FromErrno("fchmod " + tmp, errno);
  if (st.ok()) st = WriteAll(fd.get(), text, tmp);
  if (st.ok() && fsync(fd.get()) != 0) st = Status::FromErrno("fsync " + tmp, errno);
  if (st.ok() && fd.Close() != 0) st = Status::FromErrno("close " + tmp, errno);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) st = Status::FromErrno("rename " + tmp + " to " + path, errno);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  // The rename is durable only once the directory is synced.
  UniqueFd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) fsync(dir.get());
  if (crc_out != nullptr) *crc_out = Crc32c(text);
  return Status::Ok();
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
  std::snprintf(name, sizeof(name), "semguard-%016llx.ledger", static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace semguard
