// What semguardctl sees on the host, as plain data: the kernel's table, the ledgers found, and
// each set marked by who recorded it. Built once by BuildHostView; every command reads it, and
// the formatters (list_output.h, check_state.h) take it without doing any I/O.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "config/settings.h"
#include "ledger/ledger_format.h"
#include "os/process_table.h"
#include "os/sysv.h"
#include "semguardctl/options.h"

namespace semguardctl {

// The folders httpd's runtime files usually live in (DefaultRuntimeDir on Debian and RHEL).
const std::vector<std::string>& RuntimeFolders();

struct LedgerView {
  std::string path;
  semguard::Status status;          // of loading it; NotFound when there is no such file
  semguard::Ledger ledger;          // valid when status.ok()
  bool live = false;                // its server (or a process of it) still runs
  std::string liveness;             // why we think so: JudgeOwner's words, or who holds the lock
  std::vector<pid_t> lock_holders;  // live httpd processes that hold "<path>.lock"
  int present = 0;                  // recorded sets still in the table with their identity
};

enum class Mark { kLive, kLeftover, kCandidate, kForeign };
const char* MarkName(Mark m);

struct SetView {
  semguard::SemSet set;  // probed when probe.ok()
  semguard::Status probe;
  Mark mark = Mark::kForeign;
  int ledger = -1;   // index in HostView::ledgers for kLive and kLeftover
  std::string type;  // the mutex type the ledger records
  bool removable =
      false;        // kLeftover: the cleanup would remove it now; kCandidate: Adopt Remove would
  std::string why;  // the core's reason when it would not, or a note
  bool last_user_alive = false;
};

struct HostView {
  semguard::Status table_status;  // of reading the table
  semguard::TableInfo info;
  std::vector<LedgerView> ledgers;
  std::vector<SetView> sets;
  semguard::Settings settings;                // the adoption shape's User and Group, as chosen
  uid_t starter = 0;                          // the creator httpd's sets have: this tool's euid
  std::string shape_from;                     // where User and Group came from
  std::string adoption_blocker;               // why Adopt Remove could not remove candidates now
  std::vector<semguard::HttpdProcess> httpd;  // live httpd processes
};

// Reads the table, finds and loads the ledgers (`opts.ledgers` plus RuntimeFolders()' *.ledger
// when `search_folders`), and marks every set with the core's rules.
semguard::Status BuildHostView(const Options& opts, bool search_folders, semguard::SysV& sysv,
                               semguard::ProcessTable& procs, HostView* out);

// One ledger read and judged: live or dead, and which live httpd processes hold its lock.
LedgerView ReadLedgerView(const std::string& path, semguard::ProcessTable& procs,
                          const std::vector<semguard::HttpdProcess>& httpd);

// User and Group for the adoption shape: --user/--group, else the owner of the sets the readable
// ledgers record, else the first of www-data, apache, daemon that exists.
semguard::Status ChooseUserGroup(const Options& opts,
                                 const std::vector<const semguard::Ledger*>& ledgers,
                                 semguard::Settings* settings, std::string* from);

// `given`, then the *.ledger files in `folders` (regular files only); each canonical, once.
std::vector<std::string> FindLedgers(const std::vector<std::string>& given,
                                     const std::vector<std::string>& folders);

}  // namespace semguardctl
