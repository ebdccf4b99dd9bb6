#include "os/sem_set.h"

namespace semguard {

bool SameIdentity(const SemSet& then, const SemSet& now) {
  return then.semid == now.semid && then.key == now.key && then.ctime == now.ctime &&
         then.cuid == now.cuid && then.cgid == now.cgid && then.mode == now.mode &&
         then.nsems == now.nsems;
}

bool CanBeTheSameSet(const SemSet& then, const SemSet& now) {
  return then.semid == now.semid && then.key == now.key && then.ctime <= now.ctime &&
         then.uid == now.uid && then.gid == now.gid && then.cuid == now.cuid &&
         then.cgid == now.cgid && then.mode == now.mode && then.nsems == now.nsems;
}

bool LooksLikeHttpdMutex(const SemSet& set) { return set.key == 0 && set.nsems == 1; }

}  // namespace semguard
