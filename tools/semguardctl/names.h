// Owners as names: getpwuid/getgrgid, and back for --user/--group.
#pragma once

#include <sys/types.h>

#include <string>

namespace semguardctl {

// The user's name, or the number when no such user exists.
std::string UserName(uid_t uid);
std::string GroupName(gid_t gid);
// A name or a number; false when it is neither.
bool LookUpUser(const std::string& name, uid_t* uid);
bool LookUpGroup(const std::string& name, gid_t* gid);

}  // namespace semguardctl
