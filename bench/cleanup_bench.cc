// Leftover removal at start: mod_semguard's cleanup against the common shell loops and a floor
// (a bare SEM_STAT scan plus IPC_RMID, no checks), on N httpd-shaped leftover sets, in a private
// IPC namespace. Prints one line per measurement: "<case> <N> <median ms> <min ms> <max ms>".
//
// Usage: cleanup_bench N [N ...]        (run as root, inside `unshare --pid --fork --mount-proc`)
//        cleanup_bench floor N [N ...]  the floor and the proof floor alone, for the whole-start
//                                       section (5 repeats each)
//        cleanup_bench scan N               one bare SEM_STAT pass over a table of N sets (the
//                                       price of one full scan; 7 repeats)
#include <sched.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "cleanup/cleanup.h"
#include "ledger/ledger_file.h"
#include "os/process_table.h"
#include "os/sysv.h"

namespace {

using semguard::SemSet;

union SemArg {
  int val;
  struct semid_ds* buf;
};

constexpr uid_t kUser = 33;  // www-data, as httpd's User
constexpr int kRepeats = 3;

// N sets exactly as httpd leaves them, made by a child that then exits (last user dead).
std::vector<int> MakeLeftovers(int n) {
  int pipefd[2];
  if (pipe(pipefd) != 0) std::exit(1);
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < n; ++i) {
      int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
      if (id < 0) _exit(1);
      SemArg arg;
      arg.val = 1;
      semctl(id, 0, SETVAL, arg);
      struct semid_ds ds {};
      arg.buf = &ds;
      semctl(id, 0, IPC_STAT, arg);
      ds.sem_perm.uid = kUser;
      ds.sem_perm.gid = kUser;
      semctl(id, 0, IPC_SET, arg);
      if (write(pipefd[1], &id, sizeof(id)) != sizeof(id)) _exit(1);
    }
    _exit(0);
  }
  close(pipefd[1]);
  std::vector<int> ids;
  int id;
  while (read(pipefd[0], &id, sizeof(id)) == sizeof(id)) ids.push_back(id);
  close(pipefd[0]);
  waitpid(child, nullptr, 0);
  if (static_cast<int>(ids.size()) != n) {
    std::fprintf(stderr, "made %zu of %d sets (raise kernel.sem)\n", ids.size(), n);
    std::exit(1);
  }
  return ids;
}

int SetsInUse() {
  std::vector<SemSet> all;
  semguard::RealSysV().Scan(&all);
  return static_cast<int>(all.size());
}

double TimeMs(const std::function<void()>& body) {
  auto t0 = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// A bare SEM_STAT pass over the table: `visit(semid, ds)` for every set in use. A template, so
// the loops below cost what their system calls cost and nothing more.
template <typename Visit>
void ForEachSet(Visit visit) {
  struct seminfo info {};
  SemArg arg;
  arg.buf = reinterpret_cast<struct semid_ds*>(&info);
  const int max_index = semctl(0, 0, SEM_INFO, arg);
  for (int i = 0; i <= max_index; ++i) {
    struct semid_ds ds {};
    arg.buf = &ds;
    const int id = semctl(i, 0, SEM_STAT, arg);
    if (id >= 0) visit(id, ds);
  }
}

// The floor: what any remover must do at least.
void Floor() {
  ForEachSet([](int id, const struct semid_ds& ds) {
    if (ds.sem_perm.__key == 0) semctl(id, 0, IPC_RMID);
  });
}

// One full scan and nothing else: what each of a start's scans of the table costs at least.
void BareScan() {
  int seen = 0;
  ForEachSet([&seen](int, const struct semid_ds&) { ++seen; });
  if (seen == 0) std::exit(1);
}

// The proof floor: the floor plus the kernel reads every removal's proof needs, with no other
// work: a fresh identity read (IPC_STAT), then the last user, the value and both waiter counts
// (GETPID, GETVAL, GETNCNT, GETZCNT) right before IPC_RMID. What a remover that keeps every
// proof cannot go below, whatever its own code costs.
void ProofFloor() {
  ForEachSet([](int id, const struct semid_ds& listed) {
    if (listed.sem_perm.__key != 0) return;
    struct semid_ds ds {};
    SemArg arg;
    arg.buf = &ds;
    if (semctl(id, 0, IPC_STAT, arg) != 0) return;
    const int pid = semctl(id, 0, GETPID);
    const int val = semctl(id, 0, GETVAL);
    const int waiting = semctl(id, 0, GETNCNT) + semctl(id, 0, GETZCNT);
    if (pid >= 0 && val >= 0 && waiting == 0) semctl(id, 0, IPC_RMID);
  });
}

semguard::CleanupInput BaseInput() {
  semguard::CleanupInput in;
  in.mode = semguard::CleanupMode::kOff;
  in.adopt = semguard::AdoptMode::kOff;
  in.shape = semguard::AdoptionShape{0, kUser, kUser};
  in.self = getpid();
  in.ledger_owner = 0;
  return in;
}

void ModuleAdopt() {
  semguard::ProcProcessTable procs;
  semguard::Cleanup cleanup(&semguard::RealSysV(), &procs,
                            [](semguard::Level, const char*, const std::string&) {});
  semguard::CleanupInput in = BaseInput();
  in.adopt = semguard::AdoptMode::kRemove;
  cleanup.Run(in);
}

semguard::Ledger LedgerOf(const std::vector<int>& ids) {
  semguard::Ledger ledger;
  ledger.owner.process.pid = 999999;  // not running: the previous owner is dead
  ledger.owner.process.boot_id = semguard::ReadBootId();
  for (int id : ids) {
    semguard::RecordedSet rec;
    semguard::RealSysV().Stat(id, &rec.set);
    rec.type = "mpm-accept";
    ledger.sets.push_back(rec);
  }
  return ledger;
}

void ModuleLedger(const semguard::Ledger& ledger) {
  semguard::ProcProcessTable procs;
  semguard::Cleanup cleanup(&semguard::RealSysV(), &procs,
                            [](semguard::Level, const char*, const std::string&) {});
  semguard::CleanupInput in = BaseInput();
  in.mode = semguard::CleanupMode::kOn;
  in.previous = &ledger;
  cleanup.Run(in);
}

void Shell(const std::string& command) {
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "failed: %.80s\n", command.c_str());
}

void Report(const char* name, int n, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-14s %6d %10.2f %10.2f %10.2f\n", name, n, ms[ms.size() / 2], ms.front(),
              ms.back());
  std::fflush(stdout);
}

// Runs `remove` on fresh leftovers `repeats` times and checks every set went.
template <typename Remove>
void Measure(const char* name, int n, int repeats, Remove remove) {
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    std::vector<int> ids = MakeLeftovers(n);
    ms.push_back(TimeMs([&] { remove(ids); }));
    if (SetsInUse() != 0) {
      std::fprintf(stderr, "%s left %d sets\n", name, SetsInUse());
      std::exit(1);
    }
  }
  Report(name, n, ms);
}

}  // namespace

int main(int argc, char** argv) {
  if (unshare(CLONE_NEWIPC) != 0) {
    std::perror("unshare(CLONE_NEWIPC)");
    return 1;
  }
  std::ofstream("/proc/sys/kernel/sem") << "32000 1024000000 500 32000";
  std::printf("%-14s %6s %10s %10s %10s\n", "case", "sets", "median_ms", "min_ms", "max_ms");
  if (argc == 3 && std::string(argv[1]) == "scan") {
    const int n = std::atoi(argv[2]);
    MakeLeftovers(n);
    std::vector<double> ms;
    for (int r = 0; r < 7; ++r) ms.push_back(TimeMs(BareScan));
    Report("scan", n, ms);
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "floor") {
    for (int a = 2; a < argc; ++a) {
      Measure("floor", std::atoi(argv[a]), 5, [](const std::vector<int>&) { Floor(); });
      Measure("proof-floor", std::atoi(argv[a]), 5,
              [](const std::vector<int>&) { ProofFloor(); });
    }
    return 0;
  }
  for (int a = 1; a < argc; ++a) {
    int n = std::atoi(argv[a]);
    Measure("floor", n, kRepeats, [](const std::vector<int>&) { Floor(); });
    Measure("proof-floor", n, kRepeats, [](const std::vector<int>&) { ProofFloor(); });
    Measure("module-adopt", n, kRepeats, [](const std::vector<int>&) { ModuleAdopt(); });
    {
      std::vector<double> ms;
      for (int r = 0; r < kRepeats; ++r) {
        semguard::Ledger ledger = LedgerOf(MakeLeftovers(n));
        ms.push_back(TimeMs([&] { ModuleLedger(ledger); }));
        if (SetsInUse() != 0) return 1;
      }
      Report("module-ledger", n, ms);
    }
    Measure("one-ipcrm", n, kRepeats, [](const std::vector<int>&) {
      Shell("ipcrm $(ipcs -s | grep www-data | awk '{print \"-s \" $2}')");
    });
    Measure("per-id-loop", n, n > 10000 ? 1 : kRepeats, [](const std::vector<int>&) {
      Shell("for id in $(ipcs -s | grep www-data | awk '{print $2}'); do ipcrm -s $id; done");
    });
  }
  return 0;
}
