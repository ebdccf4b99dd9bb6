// Owners by name for the status page: getpwuid_r, kept per process so that a page served every
// second does not ask NSS (files, LDAP, sssd) again for the same uid.
#pragma once

#include <sys/types.h>

#include <string>

namespace semguard {

// The user name of `uid`; "" when no user has it.
std::string OwnerName(uid_t uid);

}  // namespace semguard
