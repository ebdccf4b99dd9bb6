#include "page/owner_names.h"

#include <pwd.h>

#include <map>
#include <mutex>
#include <vector>

namespace semguard {
namespace {

// Not kept beyond this many uids: a host with more owners than that is asked again.
constexpr size_t kKeptNames = 256;

std::string LookUp(uid_t uid) {
  struct passwd entry {};
  struct passwd* hit = nullptr;
  std::vector<char> room(16384);
  const int rc = getpwuid_r(uid, &entry, room.data(), room.size(), &hit);
  return rc == 0 && hit != nullptr && hit->pw_name != nullptr ? hit->pw_name : "";
}

}  // namespace

std::string OwnerName(uid_t uid) {
  static std::mutex guard;  // worker and event serve pages from several threads
  static std::map<uid_t, std::string> kept;
  {
    std::lock_guard<std::mutex> hold(guard);
    auto it = kept.find(uid);
    if (it != kept.end()) return it->second;
  }
  std::string name = LookUp(uid);
  std::lock_guard<std::mutex> hold(guard);
  if (kept.size() < kKeptNames) kept.emplace(uid, name);
  return name;
}

}  // namespace semguard
