// SysV over the Linux semctl(2) interface.
#include <sys/ipc.h>
#include <sys/sem.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "os/sysv.h"

namespace semguard {
namespace {

// semctl's fourth argument; the caller must define it (semctl(2)).
union SemArg {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
  struct seminfo* info;
};

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20  // Linux 4.17+: SEM_STAT without the read-permission check
#endif

SemSet FromKernel(int semid, const struct semid_ds& ds) {
  SemSet s;
  s.semid = semid;
  s.key = static_cast<int32_t>(ds.sem_perm.__key);
  s.uid = ds.sem_perm.uid;
  s.gid = ds.sem_perm.gid;
  s.cuid = ds.sem_perm.cuid;
  s.cgid = ds.sem_perm.cgid;
  s.mode = ds.sem_perm.mode & 07777;
  s.nsems = ds.sem_nsems;
  s.ctime = static_cast<int64_t>(ds.sem_ctime);
  s.otime = static_cast<int64_t>(ds.sem_otime);
  return s;
}

class LinuxSysV final : public SysV {
 public:
  Status Info(TableInfo* out) override {
    struct seminfo usage {};
    SemArg arg;
    arg.info = &usage;
    int max_index = semctl(0, 0, SEM_INFO, arg);
    if (max_index < 0) return Status::FromErrno("semctl(SEM_INFO)", errno);
    struct seminfo limits {};
    arg.info = &limits;
    if (semctl(0, 0, IPC_INFO, arg) < 0) return Status::FromErrno("semctl(IPC_INFO)", errno);
    out->sets_in_use = usage.semusz;
    out->sems_in_use = usage.semaem;
    out->max_index = max_index;
    out->sets_limit = limits.semmni;
    out->sems_limit = limits.semmns;
    out->sems_per_set_limit = limits.semmsl;
    return Status::Ok();
  }

  Status Scan(std::vector<SemSet>* out, TableInfo* info_out) override {
    TableInfo info;
    Status st = Info(&info);
    if (!st.ok()) return st;
    if (info_out != nullptr) *info_out = info;
    out->clear();
    if (info.sets_in_use == 0) return Status::Ok();
    out->reserve(static_cast<size_t>(info.sets_in_use) + 16);  // a few may appear meanwhile
    ScanWith(SEM_STAT_ANY, info.max_index, out);
    if (!out->empty()) {
      stat_any_works_.store(true, std::memory_order_relaxed);
      return Status::Ok();
    }
    // Kernels before 4.17 reject SEM_STAT_ANY with EINVAL for every slot.
    ScanWith(SEM_STAT, info.max_index, out);
    return Status::Ok();
  }

  Status StatSlot(int index, SemSet* out) override {
    struct semid_ds ds {};
    SemArg arg;
    arg.buf = &ds;
    int semid = semctl(index, 0, SEM_STAT_ANY, arg);
    if (semid >= 0) {
      stat_any_works_.store(true, std::memory_order_relaxed);
    } else if (errno == EINVAL && !stat_any_works_.load(std::memory_order_relaxed)) {
      // An empty slot, or a kernel without SEM_STAT_ANY: only SEM_STAT tells them apart.
      semid = semctl(index, 0, SEM_STAT, arg);
    }
    if (semid < 0) {
      return Status::FromErrno("semctl(" + std::to_string(index) + ", SEM_STAT)", errno);
    }
    *out = FromKernel(semid, ds);
    out->index = index;
    return Status::Ok();
  }

  Status Stat(int semid, SemSet* out) override {
    struct semid_ds ds {};
    SemArg arg;
    arg.buf = &ds;
    if (semctl(semid, 0, IPC_STAT, arg) < 0) {
      return Status::FromErrno("semctl(" + std::to_string(semid) + ", IPC_STAT)", errno);
    }
    *out = FromKernel(semid, ds);
    return Status::Ok();
  }

  Status Probe(SemSet* set) override {
    SemArg unused;
    unused.val = 0;
    int pid = semctl(set->semid, 0, GETPID, unused);
    int value = pid < 0 ? -1 : semctl(set->semid, 0, GETVAL, unused);
    int ncnt = value < 0 ? -1 : semctl(set->semid, 0, GETNCNT, unused);
    int zcnt = ncnt < 0 ? -1 : semctl(set->semid, 0, GETZCNT, unused);
    if (zcnt < 0) {
      return Status::FromErrno("semctl(" + std::to_string(set->semid) + ", GETPID/GETVAL)", errno);
    }
    set->last_pid = pid;
    set->value = value;
    set->waiters = ncnt + zcnt;
    set->probed = true;
    return Status::Ok();
  }

  Status LastPid(int semid, pid_t* out) override {
    SemArg unused;
    unused.val = 0;
    int pid = semctl(semid, 0, GETPID, unused);
    if (pid < 0) return Status::FromErrno("semctl(" + std::to_string(semid) + ", GETPID)", errno);
    *out = pid;
    return Status::Ok();
  }

  Status Remove(int semid) override {
    SemArg unused;
    unused.val = 0;
    if (semctl(semid, 0, IPC_RMID, unused) < 0) {
      return Status::FromErrno("semctl(" + std::to_string(semid) + ", IPC_RMID)", errno);
    }
    return Status::Ok();
  }

 private:
  static void ScanWith(int cmd, int max_index, std::vector<SemSet>* out) {
    for (int index = 0; index <= max_index; ++index) {
      struct semid_ds ds {};
      SemArg arg;
      arg.buf = &ds;
      int semid = semctl(index, 0, cmd, arg);
      if (semid < 0) continue;
      out->push_back(FromKernel(semid, ds));
      out->back().index = index;
    }
  }

  // Whether this kernel knows SEM_STAT_ANY (Linux 4.17+): once a call succeeded, its EINVAL
  // means an empty slot.
  std::atomic<bool> stat_any_works_{false};
};

}  // namespace

SysV& RealSysV() {
  static LinuxSysV instance;
  return instance;
}

}  // namespace semguard
