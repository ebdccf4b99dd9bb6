// The one builder of semaphore sets for the unit tests: a set as APR's sysvsem mutex leaves it
// (IPC_PRIVATE, one semaphore, mode 0600, free), made by `creator` and owned by `owner` and
// `group` (httpd hands its sets to User and Group). Tests change the fields their case is about.
#pragma once

#include <sys/types.h>

#include "os/sem_set.h"

namespace semguard_test {

inline constexpr int64_t kSetCreated = 1763900000;

inline semguard::SemSet HttpdMutexSet(uid_t creator = 0, uid_t owner = 33, gid_t group = 33,
                                      pid_t last_pid = 0) {
  semguard::SemSet s;
  s.key = 0;
  s.nsems = 1;
  s.mode = 0600;
  s.cuid = creator;
  s.cgid = 0;
  s.uid = owner;
  s.gid = group;
  s.ctime = kSetCreated;
  s.value = 1;
  s.last_pid = last_pid;
  return s;
}

}  // namespace semguard_test
