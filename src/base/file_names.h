// The names of an instance's files, in one place: "<x>.ledger", its lock "<x>.ledger.lock", a
// refused ledger kept as "<x>.ledger.bad". Other instances find a live server's ledger by the
// lock file it holds open, so these endings are part of the contract between versions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace semguard {

inline constexpr std::string_view kLedgerEnding = ".ledger";
inline constexpr std::string_view kLockEnding = ".lock";
inline constexpr std::string_view kQuarantineEnding = ".bad";
// A ledger is written to "<x>.ledger.tmp.<16 hex digits>" first, then renamed over the ledger.
inline constexpr std::string_view kTemporaryInfix = ".tmp.";
inline constexpr size_t kTemporaryDigits = 16;

inline bool EndsWith(std::string_view s, std::string_view ending) {
  return s.size() >= ending.size() && s.substr(s.size() - ending.size()) == ending;
}

inline std::string LockPathOf(const std::string& ledger_path) {
  return ledger_path + std::string(kLockEnding);
}

inline std::string QuarantinePathOf(const std::string& ledger_path) {
  return ledger_path + std::string(kQuarantineEnding);
}

// True when `name` (a folder entry, no slash) is one of the temporary files a write of the
// ledger whose file name is `ledger_name` makes: "<ledger_name>.tmp." and 16 hex digits.
inline bool IsTemporaryOf(std::string_view name, std::string_view ledger_name) {
  const size_t prefix = ledger_name.size() + kTemporaryInfix.size();
  if (name.size() != prefix + kTemporaryDigits) return false;
  if (name.substr(0, ledger_name.size()) != ledger_name) return false;
  if (name.substr(ledger_name.size(), kTemporaryInfix.size()) != kTemporaryInfix) return false;
  for (char c : name.substr(prefix)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// True for "<x>.ledger.lock", the lock of some instance's ledger.
inline bool IsLedgerLockPath(std::string_view path) {
  return EndsWith(path, std::string(kLedgerEnding) + std::string(kLockEnding));
}

// The ledger a lock file belongs to; "" when `lock_path` is no ledger's lock.
inline std::string LedgerPathOfLock(const std::string& lock_path) {
  if (!EndsWith(lock_path, kLockEnding)) return "";
  return lock_path.substr(0, lock_path.size() - kLockEnding.size());
}

}  // namespace semguard
