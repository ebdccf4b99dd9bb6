#include "module/recorder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <utility>

#include "cleanup/busy_lock.h"
#include "module/slot_search.h"
#include "os/child_exits.h"
#include "page/page_builder.h"

namespace semguard {
namespace {

bool LastOfPhase(Checkpoint cp) {
  return cp == Checkpoint::kOpenLogsLast || cp == Checkpoint::kPostConfigLast;
}

std::string CountByType(const std::vector<RecordedSet>& sets) {
  std::map<std::string, int> counts;
  for (const RecordedSet& r : sets) ++counts[r.type];
  std::string out;
  for (const auto& [type, n] : counts) {
    out += (out.empty() ? "" : ", ") + type + " " + std::to_string(n);
  }
  return out;
}

// Before core's open_logs, lines go to stderr: the terminal in the first pass, /dev/null in the
// freshly detached daemon (generation 1; the ErrorLog when it stays in the foreground). From
// generation 2 on, stderr is the ErrorLog.
EarlyLines EarlyLinesOf(const Environment& env) {
  if (env.main_state == MainState::kCreatePreConfig) return EarlyLines::kKeepRoutine;
  return env.generation == 1 ? EarlyLines::kKeepAll : EarlyLines::kLogAtOnce;
}

}  // namespace

Recorder::Recorder(Environment env, Retained* retained, LogSink log, Seams seams)
    : env_(std::move(env)),
      retained_(retained),
      sysv_(seams.sysv != nullptr ? seams.sysv : &RealSysV()),
      procs_(seams.procs != nullptr ? seams.procs : &RealProcessTable()),
      clock_(seams.clock != nullptr ? seams.clock : &RealClock()),
      log_(log, EarlyLinesOf(env_)),
      lock_(&retained->lock, seams.files != nullptr ? *seams.files : RealFileSystem()),
      store_(env_.euid, seams.files != nullptr ? *seams.files : RealFileSystem()) {
  InitRetained(retained_);
}

pid_t Recorder::SelfPid() const { return env_.pid > 0 ? env_.pid : getpid(); }

bool Recorder::Enabled() const {
  const bool recording = (settings_.enabled && !on_deferred_) || recording_while_off_;
  if (!recording || env_.run_mode != RunMode::kNormal) return false;
  // open_logs and post_config run only in a process that is starting (pass 1, before detach)
  // or running (later passes) the server; never in -t, dumps or -k signalling.
  return env_.main_state == MainState::kCreatePreConfig ||
         env_.main_state == MainState::kCreateConfig;
}

void Recorder::TakeFirstSnapshot() {
  if (env_.run_mode != RunMode::kNormal) return;
  if (env_.main_state == MainState::kCreatePreConfig) retained_->unrecorded_sets = false;
  first_snapshot_ok_ = ScanTable(&snapshot_).ok();
  have_baseline_ = first_snapshot_ok_;
}

void Recorder::Configure(Settings settings) {
  settings_ = std::move(settings);
  if (env_.run_mode != RunMode::kNormal) return;
  if (env_.main_state == MainState::kCreatePreConfig) retained_->started_off = !settings_.enabled;
  // The mirror case: a server started with Off made sets no ledger names (mod_ssl's outlive
  // restarts), so a restart to On could record only its own generation's, and the rest would
  // look like leftovers to other instances' adoption. Holding no lock, its processes count as
  // an unguarded httpd there, which blocks that adoption: so they stay until the next start.
  on_deferred_ = settings_.enabled && retained_->started_off && !lock_.held();
  if (on_deferred_) {
    log_.Log(Level::kWarn, "SG00047",
             "SemGuard On at a restart of a server started with SemGuard Off takes effect at "
             "the next start: the sets made while Off are in no ledger, so this server records "
             "nothing and takes no lock until it is stopped and started; other instances count "
             "it as an httpd without the module, and their SemGuardAdopt leaves its sets alone");
    return;
  }
  // A restart to SemGuard Off keeps the lock: the children it forks inherit it, so the lock
  // still proves them gone at the next start (else an orphan of an Off generation would look
  // gone, and its live sets would be removed). It keeps the ledger current too: other
  // instances count processes that hold a lock with a readable ledger as guarded, so a set of
  // the Off generation missing from it would look like a leftover to their adoption.
  recording_while_off_ = !settings_.enabled && lock_.held();
  if (!settings_.enabled && !recording_while_off_) return;
  if (recording_while_off_) {
    // Always the ledger this server holds the lock for: an Off generation never moves it (a
    // new path could not be locked, or could be another run's ledger), nor does SG00014's "".
    settings_.ledger_path = lock_.HeldLedger();
    log_.Log(Level::kNotice, "SG00045",
             "SemGuard Off at a restart: this server holds the instance lock since an earlier "
             "generation, so the module keeps its ledger " + settings_.ledger_path +
                 " current until the server stops (another instance's SemGuardAdopt would take "
                 "sets missing from it for leftovers); it removes nothing. Off takes full "
                 "effect at the next start");
  }
  // A restart that changed SemGuardLedger: what this server recorded is still at the old path.
  std::string read_from = settings_.ledger_path;
  if (lock_.held() && retained_->ledger_written && lock_.HeldLedger() != read_from) {
    read_from = moved_from_ = lock_.HeldLedger();
  }
  loaded_ = store_.Load(read_from);
  loaded_is_ours_ = loaded_.status.ok() && retained_->ledger_written &&
                    loaded_.crc == retained_->ledger_crc;
  // Sets made in earlier passes (mod_ssl's outlive restarts) stay ours while they exist;
  // earlier runs' sets stay inherited.
  if (loaded_is_ours_) {
    for (const RecordedSet& r : loaded_.ledger.sets) {
      (r.inherited ? inherited_ : recorded_).push_back(r);
    }
  } else if (loaded_.status.ok() && lock_.held() && !retained_->ledger_written) {
    // This server holds the lock and never managed to write (a full disk): the file is still
    // the previous run's, and what its start kept of it is on no disk of ours. Carry it all
    // with its run's owner; sets that are gone drop out at the first scan.
    for (const RecordedSet& r : loaded_.ledger.sets) {
      RecordedSet kept = r;
      kept.owner = OwnerOf(loaded_.ledger, r);
      kept.inherited = true;
      inherited_.push_back(std::move(kept));
    }
  }
  // What no ledger of ours names: made while unguarded, or when the last write failed.
  LoadUnguardedSets();
  // pre_config's scan saw the whole table: a set named above that it did not see, or whose
  // semid it saw naming a set that cannot be it (KeepSetsInTable), is gone for good, such as
  // the first pass's accept mutex. Dropped now, it is off the ledger from this pass's first
  // write, whether or not a full scan comes before post_config-last.
  if (first_snapshot_ok_) {
    KeepSetsInTable(snapshot_, &recorded_);
    KeepSetsInTable(snapshot_, &inherited_);
  }
}

void Recorder::LoadUnguardedSets() {
  const UnguardedSets& u = retained_->unguarded;
  for (int i = 0; i < u.n && i < static_cast<int>(std::size(u.sets)); ++i) {
    bool known = false;
    for (const RecordedSet& own : recorded_) known = known || own.set.semid == u.sets[i].set.semid;
    if (known) continue;
    RecordedSet r;
    r.set = u.sets[i].set;
    r.type = u.sets[i].type;
    r.creator_pid = u.sets[i].creator_pid;
    r.generation = u.sets[i].generation;
    recorded_.push_back(std::move(r));
  }
}

void Recorder::KeepUnguardedSets() {
  UnguardedSets& u = retained_->unguarded;
  u.n = 0;
  for (const RecordedSet& r : recorded_) {
    if (u.n == static_cast<int>(std::size(u.sets))) {
      ++u.dropped;
      continue;
    }
    UnguardedSets::Entry& e = u.sets[u.n++];
    e.set = r.set;
    std::snprintf(e.type, sizeof(e.type), "%s", r.type.c_str());
    e.creator_pid = r.creator_pid;
    e.generation = r.generation;
  }
}

bool Recorder::guarding() const { return guarding_reason().empty(); }

std::string Recorder::guarding_reason() const {
  if (on_deferred_) {
    return "started with SemGuard Off: SemGuard On takes effect at the next start";
  }
  if (!settings_.enabled) {
    return recording_while_off_ ? "SemGuard Off (the ledger is kept current until the server "
                                  "stops, since it holds the instance lock; nothing is removed)"
                                : "SemGuard Off";
  }
  if (env_.run_mode != RunMode::kNormal) return "not serving (test or signal run)";
  if (!unguarded_.empty()) return unguarded_;
  if (!lock_.held()) return "the instance lock is not held";
  if (retained_->unrecorded_sets) {
    return "a pass could not read the semaphore table at pre_config (SG00050): sets it made "
           "before its first scan are in no ledger; stop and start the server to guard them";
  }
  return "";
}

bool Recorder::TakeLock() {
  Status st = lock_.Take(settings_.ledger_path);
  if (st.ok()) return true;
  const std::string why = st.code() == Status::Code::kBusy
                              ? ExplainBusyLock(loaded_.status.ok() ? &loaded_.ledger : nullptr,
                                                *procs_)
                              : "";
  unguarded_ = st.message();
  log_.Log(Level::kError, "SG00001",
           st.message() + "; this process records and removes no semaphore sets" + why);
  log_.Log(Level::kError, "SG00032",
           "this server serves UNGUARDED: its semaphore sets are not in any ledger, so a crash "
           "now leaks them and nothing removes them; the status page shows guarding: no. It "
           "takes the lock at a later restart once the holder is gone");
  return false;
}

// The lock makes this process the ledger's only writer: a temporary file of a write is left
// only by a writer that died before its rename.
void Recorder::RemoveStaleTemporaries() {
  const int removed = store_.RemoveStaleTemporaries(settings_.ledger_path);
  if (removed == 0) return;
  log_.Log(Level::kInfo, "SG00046",
           "removed " + std::to_string(removed) + " temporary file(s) " +
               settings_.ledger_path + ".tmp.* left by a ledger write that was interrupted "
               "(a server killed while it wrote)");
}

// Only this instance's previous run, never a ledger this server wrote itself.
const Ledger* Recorder::PreviousRun() const {
  return loaded_.status.ok() && !loaded_is_ours_ ? &loaded_.ledger : nullptr;
}

CleanupInput Recorder::MakeInput(const Ledger* previous) const {
  CleanupCaller caller;
  caller.pid = SelfPid();
  caller.exe = env_.exe;
  caller.starter = env_.euid;
  caller.lock = lock_.Identity();
  ProcessIdentity self;
  if (procs_->Identity(SelfPid(), &self).ok()) caller.pid_ns = self.pid_ns;
  return MakeCleanupInput(settings_, previous, caller);
}

CleanupReport Recorder::RunCleanup(CleanupInput in) {
  Cleanup cleanup(sysv_, procs_, [this](Level level, const char* tag, const std::string& msg) {
    log_.Log(level, tag, msg);
  });
  // The cleanup picks its sets from the pre_config scan and reads each again before judging
  // it, instead of scanning the whole table once more.
  if (first_snapshot_ok_) in.table = &snapshot_;
  CleanupReport report = cleanup.Run(in);
  const TakenOut taken = TakeOut(&snapshot_, report.removed_sets);
  snapshot_sets_in_use_ -= taken.sets;
  snapshot_sems_in_use_ -= taken.sems;
  return report;
}

void Recorder::CleanUpPreviousRun() {
  CleanupReport report = RunCleanup(MakeInput(PreviousRun()));
  inherited_ = report.kept;
  KeepStartupRecord(report);
}

// A restart took the lock that an earlier run held until now: this server served unguarded.
// What that run's ledger names is judged like a start's previous run (nothing is adopted:
// this server's own sets made meanwhile are in no ledger), and what stays is inherited.
void Recorder::TakeOverFromUnguarded() {
  const Ledger* previous = PreviousRun();
  CleanupInput in = MakeInput(previous);
  in.adopt = AdoptMode::kOff;
  CleanupReport report;
  if (previous != nullptr) {
    // Never judge a set this server made itself as the earlier run's.
    Ledger theirs = *previous;
    auto ours = [this](const RecordedSet& r) {
      for (const RecordedSet& own : recorded_) {
        if (own.set.semid == r.set.semid && SameIdentity(own.set, r.set)) return true;
      }
      return false;
    };
    theirs.sets.erase(std::remove_if(theirs.sets.begin(), theirs.sets.end(), ours),
                      theirs.sets.end());
    in.previous = &theirs;
    report = RunCleanup(in);
    inherited_ = report.kept;
    KeepStartupRecord(report);
  }
  retained_->unguarded.n = 0;
  log_.Log(Level::kNotice, "SG00034",
           "generation " + std::to_string(env_.generation) + " took the instance lock: this "
           "server guards its sets again (" + std::to_string(recorded_.size()) + " of its own, " +
           std::to_string(inherited_.size()) + " kept from earlier runs" +
           (retained_->unguarded.dropped > 0
                ? ", " + std::to_string(retained_->unguarded.dropped) +
                      " made while unguarded beyond the module's room are not recorded"
                : std::string()) + ")");
  retained_->unguarded.dropped = 0;
}

void Recorder::KeepStartupRecord(const CleanupReport& report) {
  StartupRecord& r = retained_->startup;
  r = StartupRecord{};
  r.ran = true;
  r.removed = report.removed;
  r.skipped = report.skipped;
  r.candidates = report.candidates;
  r.adopted = report.adopted;
  r.millis = report.millis;
  r.previous_owner = report.previous_owner;
  r.at = clock_->Now();
  for (const auto& [semid, reason] : report.skips) {
    if (r.n_skips == static_cast<int>(std::size(r.skips))) break;
    r.skips[r.n_skips].semid = semid;
    std::snprintf(r.skips[r.n_skips].reason, sizeof(r.skips[0].reason), "%s", reason.c_str());
    ++r.n_skips;
  }
}

void Recorder::Monitor(const std::vector<SemSet>* table) {
  if (!settings_.enabled || !lock_.held() || retained_->child_area == nullptr) return;
  CleanupInput in = MakeInput(nullptr);
  in.table = table;
  // Kept sets go as soon as their users are provably gone, without waiting for a restart.
  if (!inherited_.empty()) {
    Cleanup retry(sysv_, procs_, [this](Level level, const char* tag, const std::string& msg) {
      log_.Log(level, tag, msg);
    });
    if (retry.RetryInherited(in, &inherited_) > 0) WriteLedger("monitor");
  }
  for (const RecordedSet& r : recorded_) in.own_sets.push_back(r.set.semid);
  Cleanup counter(sysv_, procs_, [](Level, const char*, const std::string&) {});
  SharedCounters& c = ChildExits(retained_->child_area).counters();
  c.leaked_sets.store(counter.FindAdoptionCandidates(in).candidates);
  c.leaked_at.store(clock_->Now());
}

PageModel Recorder::BuildPageModel() const {
  PageSources in;
  in.recorded = &recorded_;
  in.retained = retained_;
  in.sysv = sysv_;
  in.server_pid = getppid() > 1 ? getppid() : SelfPid();
  in.generation = env_.generation;
  in.enabled = settings_.enabled;
  PageModel m = FillPageModel(in, clock_->Now());
  m.guarding = guarding();
  m.guarding_reason = guarding_reason();
  return m;
}

void Recorder::ReportPreviousLedger() {
  if (reported_previous_) return;
  reported_previous_ = true;
  const Status& st = loaded_.status;
  if (st.ok() || st.code() == Status::Code::kNotFound) {
    if (retained_->ledger_written && !loaded_is_ours_) {
      log_.Log(Level::kError, "SG00004",
               "the ledger " + settings_.ledger_path + " no longer holds what this server "
               "wrote; sets made in earlier passes are not recorded any more");
    }
    return;
  }
  log_.Log(Level::kError, "SG00003",
           "refusing the ledger: " + st.message() + "; it is kept as " + loaded_.path +
               ".bad and recording starts afresh");
  Status kept = store_.Quarantine(loaded_.path);
  if (!kept.ok()) log_.Log(Level::kError, "SG00010", kept.message());
}

Status Recorder::ScanTable(SlotTable* out) {
  const int64_t started = clock_->Now();
  Status st = sysv_->Scan(out);
  if (!st.ok()) {
    log_.Log(Level::kError, "SG00006", "cannot read the semaphore table: " + st.message());
    return st;
  }
  snapshot_sems_in_use_ = 0;
  for (const SemSet& s : *out) snapshot_sems_in_use_ += static_cast<long>(s.nsems);
  snapshot_sets_in_use_ = static_cast<int>(out->size());
  last_scan_at_ = started;
  searched_since_scan_ = false;
  return Status::Ok();
}

// A full scan visits every slot of the table, so a checkpoint first asks SEM_INFO (one call
// whatever the table's size) whether the sets and semaphores in use still number what the last
// scan saw, less what the cleanup removed. If they do, it skips: nothing is recorded, dropped
// or written, and the snapshot stays as it was.
//
// Equal counts do not prove that nothing changed: another program may have made a set and
// removed one meanwhile, or this process made one while another went. A skip can only delay a
// recording, never drop one or record a foreign set:
// - the snapshot is not replaced, so a set that appeared meanwhile is still new against it at
//   the next checkpoint that scans, and is recorded there if it is ours then;
// - whether it is ours (shape, creator, last-operation pid == this process) is read at that
//   scan, not inferred from the counts, so no foreign set is ever recorded;
// - post_config-last never skips, and until then no other process runs httpd's code with this
//   pass's sets (the MPM forks the children after post_config), so the last-operation pid of a
//   set this process made is still its own at that scan. The label is then the phase's.
// A skipped checkpoint writes no ledger either (there is nothing new to write), so the ledger's
// written_at stays older than any set that appeared since: a start that dies before the next
// scan leaves such a set to the next start's crashed-start search, which takes the previous
// run's sets made at or after written_at whose last-operation pid is that run's (SG00030).
// The last checkpoint of a phase also retries a ledger write that failed: it scans then.
//
// When the counts grew, the checkpoint searches a few slots (SearchNewSlots) instead of all
// of them; see SearchNewSets for why that is as safe as a skip.
Recorder::Look Recorder::LookAt(Checkpoint cp, TableInfo* info) {
  if (cp == Checkpoint::kPostConfigLast) return Look::kScan;
  if (LastOfPhase(cp) && last_write_failed_) return Look::kScan;
  if (snapshot_sets_in_use_ < 0 || !sysv_->Info(info).ok()) return Look::kScan;
  if (info->sets_in_use == snapshot_sets_in_use_ && info->sems_in_use == snapshot_sems_in_use_) {
    return Look::kSkip;
  }
  return Look::kSearch;
}

// The table grew by a few sets since the last scan (the MPM's accept mutex, mod_ssl's):
// instead of reading every slot to find them, read the few slots Linux puts new sets in
// (SearchNewSlots). Only when the search found exactly as many sets and semaphores as SEM_INFO
// says appeared does it stand for the scan; anything else falls back to a full scan.
//
// A search is as safe as a skip, and never less:
// - it records a set only by the same test as a scan (IsOurs: httpd's shape, created by
//   this euid, and a fresh read of its last-operation pid that names this very process), on a
//   set in a slot the snapshot holds empty, so new against it: it never records a set that
//   existed before this pass, nor a foreign one;
// - the counts matching proves nothing (another program may make a set and remove one
//   meanwhile), and nothing rests on them: a set of ours the search did not find stays new
//   against the snapshot (which gains only the sets the search read), so post_config-last's
//   full scan, which always runs, records it then, labelled by the phase as after a skip;
// - what a full scan does besides is deferred to the next full scan, and losing it loses
//   nothing: a recorded or inherited set that vanished stays listed (a ledger naming a gone set
//   is harmless: every removal reads the set again and needs the very identity recorded, ctime
//   included, so a reused semid is never taken for it); a row of the snapshot whose set is
//   gone never hides a new set (same slot, but never the same identity); and a found set whose
//   semid a recorded or inherited set has (that one is gone, its semid reused) falls back to a
//   full scan, which drops the old one before it records the new;
// - a ledger written after a search (it recorded a set, or the phase ended) is dated from the
//   last full scan, not from the write (WriteLedger): a set of ours the search missed was made
//   after that scan started, so a start that dies before the next scan leaves it to the next
//   start's crashed-start search (sets made at or after written_at, SG00030), as after a skip.
//   An older written_at only widens that search's window by the seconds of this pass, in which
//   every candidate still needs this run's pid as its last user and passes the full judgement;
// - a found set that is not ours makes it scan the whole table at once: its count may stand for
//   a set of ours in a slot no search reads (one the snapshot holds, its set gone meanwhile),
//   which would otherwise be recorded only later, under a later checkpoint's label;
// - the counts are set to SEM_INFO's, which the search accounted for, so the next checkpoint
//   compares against the table as it is now.
bool Recorder::SearchNewSets(const TableInfo& info, const std::string& label, bool* added) {
  constexpr int kMostSetsSearched = 8;  // a hook that makes more is rare: scan for them
  const int grown = info.sets_in_use - snapshot_sets_in_use_;
  if (grown <= 0 || grown > kMostSetsSearched) return false;
  const SlotSearch search =
      SearchNewSlots(*sysv_, snapshot_, info.max_index, last_new_slot_, grown);
  long sems = 0;
  for (const SemSet& set : search.found) sems += static_cast<long>(set.nsems);
  const bool complete = static_cast<int>(search.found.size()) == grown &&
                        sems == info.sems_in_use - snapshot_sems_in_use_;
  log_.Debug("semguard: " + std::to_string(search.found.size()) + " of " +
             std::to_string(grown) + " new set(s) found in " + std::to_string(search.reads) +
             " slot(s)" + (complete ? "" : "; scanning the whole table"));
  if (!complete) return false;
  std::vector<RecordedSet> ours;
  for (const SemSet& set : search.found) {
    for (const auto* list : {&recorded_, &inherited_}) {
      for (const RecordedSet& r : *list) {
        if (r.set.semid == set.semid) return false;
      }
    }
    // Another program's set among the few that appeared: its count may stand for a set of
    // ours in a slot the snapshot still holds (a set gone meanwhile), which no search reads.
    // Scan now, so that set is recorded here with this checkpoint's label, not a later one's.
    if (!IsOurs(set, &ours.emplace_back())) return false;
  }
  const size_t before = recorded_.size();
  for (size_t i = 0; i < search.found.size(); ++i) {
    Record(ours[i], label);
    PutInSlot(&snapshot_, search.found[i]);
    last_new_slot_ = search.found[i].index;
  }
  snapshot_sets_in_use_ = info.sets_in_use;
  snapshot_sems_in_use_ = info.sems_in_use;
  searched_since_scan_ = true;
  *added = recorded_.size() > before;
  return true;
}

void Recorder::AtCheckpoint(Checkpoint cp, const std::vector<std::string_view>& modules_between) {
  // core's open_logs (REALLY_FIRST) has run by open_logs-last: the ErrorLog is open. Replay
  // even when this pass went passive, so SG00001 reaches the ErrorLog too.
  if (cp == Checkpoint::kOpenLogsLast) log_.Replay();
  if (!Enabled()) return;
  if (cp == Checkpoint::kOpenLogsFirst) {
    const bool had_lock = lock_.held();
    if (TakeLock()) {
      unguarded_.clear();
      if (!had_lock) RemoveStaleTemporaries();
      ReportPreviousLedger();
      // A real start, before the MPM makes its accept mutex: the one moment leftovers can go.
      if (env_.main_state == MainState::kCreatePreConfig) {
        CleanUpPreviousRun();
      } else if (!had_lock) {
        TakeOverFromUnguarded();
      }
      // The owner (and what is kept) is on disk before this pass makes any set, so a start
      // that dies before its next write is still found: its sets carry this owner's pid.
      WriteLedger(cp);
    }
  }
  if (!lock_.held() && unguarded_.empty()) return;

  TableInfo info;
  const Look look = LookAt(cp, &info);
  if (look == Look::kSkip) return;  // and no ledger write: see LookAt
  const std::string label = LabelFor(cp, modules_between);
  bool added = false;
  if (look != Look::kSearch || !SearchNewSets(info, label, &added)) {
    if (!ScanTable(&scan_).ok()) return;
    KeepSetsInTable(scan_, &recorded_);
    const size_t inherited_before = inherited_.size();
    KeepSetsInTable(scan_, &inherited_);
    added = have_baseline_ ? RecordNewSets(scan_, label) : TakeBaseline(cp);
    added = added || inherited_.size() != inherited_before;
    snapshot_.swap(scan_);  // both buffers keep their room for the next scan
  }
  if (!lock_.held()) {
    KeepUnguardedSets();  // unguarded: no ledger of ours; remember them for the takeover
    return;
  }
  // Also right after a set appears: a start that crashes later still names it.
  if (added || LastOfPhase(cp)) WriteLedger(cp);
  KeepUnwrittenSets();
  if (cp == Checkpoint::kPostConfigLast) {
    if (retained_->child_area == nullptr) retained_->child_area = ChildExits::MapArea();
    if (env_.main_state == MainState::kCreateConfig) {
      Monitor(&snapshot_);  // the scan just made
    }
    if (recorded_.empty()) {
      TellNothingToGuard();
    } else {
      log_.Log(Level::kInfo, "SG00009",
               "generation " + std::to_string(env_.generation) + ": " +
                   std::to_string(recorded_.size()) + " semaphore set(s) " +
                   (last_write_failed_ ? "kept in memory, NOT in " + settings_.ledger_path +
                                             " (it cannot be written: SG00005); the next "
                                             "restart that can write it records them"
                                       : "recorded in " + settings_.ledger_path) +
                   " (" + CountByType(recorded_) + ")");
    }
  }
}

// pre_config's scan failed (SG00006), so nothing tells the sets that existed before this pass
// from the ones it made: taking every set of the first scan that works for new would record a
// set older than this process whose last user had its pid (a pid reused), and the next start
// would remove it. That scan is the baseline instead; what this pass made before it is not
// recorded (httpd still removes it at a clean stop), and the line says so.
bool Recorder::TakeBaseline(Checkpoint cp) {
  have_baseline_ = true;
  retained_->unrecorded_sets = true;  // until the next start: later passes cannot tell them
  log_.Log(Level::kWarn, "SG00050",
           std::string("the semaphore table could not be read at pre_config (SG00006), so ") +
               "this pass records only the sets made after " + CheckpointName(cp) +
               "; sets it made before are in no ledger (a crash would leak them, and another "
               "instance's SemGuardAdopt could take them), so the server reports guarding: no "
               "until it is stopped and started");
  return false;
}

bool Recorder::RecordNewSets(const SlotTable& now, const std::string& label) {
  const size_t before = recorded_.size();
  ForEachNewSet(snapshot_, now, [&](const SemSet& set) {
    last_new_slot_ = std::max(last_new_slot_, set.index);
    RecordIfOurs(set, label);
  });
  return recorded_.size() > before;
}

// httpd's sets: IPC_PRIVATE, one semaphore, created by us, and last touched by this very
// process (APR's SETVAL right after semget). Anything else that appeared meanwhile is not.
// `rec` gets the set as freshly read, with this pass's creator and generation.
bool Recorder::IsOurs(const SemSet& set, RecordedSet* rec) const {
  if (!LooksLikeHttpdMutex(set) || set.cuid != env_.euid) return false;
  SemSet probed = set;
  if (!sysv_->Probe(&probed).ok() || probed.last_pid != SelfPid()) return false;
  rec->set = probed;
  rec->creator_pid = SelfPid();
  rec->generation = env_.generation;
  return true;
}

void Recorder::RecordIfOurs(const SemSet& set, const std::string& label) {
  RecordedSet rec;
  if (IsOurs(set, &rec)) Record(std::move(rec), label);
}

void Recorder::Record(RecordedSet rec, const std::string& label) {
  for (const RecordedSet& r : recorded_) {
    if (r.set.semid == rec.set.semid) return;
  }
  rec.type = label;
  log_.Debug("semguard: recorded semid " + std::to_string(rec.set.semid) + " (" + label + ")");
  recorded_.push_back(std::move(rec));
}

void Recorder::WriteLedger(Checkpoint cp) { WriteLedger(std::string(CheckpointName(cp))); }

void Recorder::WriteLedger(const std::string& when) {
  last_write_failed_ = true;  // until the write below succeeds
  Ledger ledger;
  Status st = procs_->Identity(SelfPid(), &ledger.owner.process);
  if (!st.ok()) {
    log_.Log(Level::kError, "SG00011", "cannot read this process's identity: " + st.message());
    return;
  }
  ledger.owner.generation = env_.generation;
  // After a search, sets of ours may have been made since the last full scan unrecorded: date
  // the ledger from that scan, so the crashed-start search still covers them (SearchNewSets).
  ledger.owner.written_at = searched_since_scan_ ? last_scan_at_ : clock_->Now();
  ledger.owner.server_root = env_.server_root;
  ledger.owner.config_file = env_.config_file;
  ledger.owner.lock = lock_.Identity();
  ledger.sets = recorded_;
  ledger.sets.insert(ledger.sets.end(), inherited_.begin(), inherited_.end());
  // The folder's fsync makes the rename outlive a filesystem that loses unsynced changes while
  // the server runs on. Only a write that names a set the last one lacked needs it: losing any
  // other brings back a ledger that still names every live set of ours.
  std::vector<int> names;
  for (const RecordedSet& r : ledger.sets) names.push_back(r.set.semid);
  std::sort(names.begin(), names.end());
  const bool adds = !std::includes(written_semids_.begin(), written_semids_.end(),
                                   names.begin(), names.end());
  uint32_t crc = 0;
  st = store_.Write(settings_.ledger_path, ledger, &crc,
                    adds ? FolderSync::kYes : FolderSync::kNo);
  if (!st.ok()) {
    log_.Log(Level::kError, "SG00005",
             "cannot write the ledger at " + when + ": " + st.message());
    return;
  }
  last_write_failed_ = false;
  written_semids_ = std::move(names);
  // On disk now: the copy kept in memory while writes failed is not needed any more.
  retained_->unguarded.n = 0;
  retained_->unguarded.dropped = 0;
  retained_->ledger_crc = crc;
  retained_->ledger_written = true;
  retained_->server_pid = SelfPid();
  if (!moved_from_.empty()) {
    store_.RemoveMoved(moved_from_);
    log_.Log(Level::kNotice, "SG00026",
             "the ledger moved from " + moved_from_ + " to " + settings_.ledger_path);
    moved_from_.clear();
  }
}

// While the last write failed, the sets are on no disk: keep them in retained memory, so that
// a restart that can write (the disk has room again) still records them.
void Recorder::KeepUnwrittenSets() {
  if (last_write_failed_) KeepUnguardedSets();
}

void Recorder::TellNothingToGuard() {
  if (retained_->told_nothing_to_guard) return;
  retained_->told_nothing_to_guard = true;
  log_.Log(Level::kInfo, "SG00008",
           "this server created no SysV semaphore set, so there is nothing to guard: its "
           "mutexes use another mechanism (APR's default here is '" + env_.apr_default_lock +
               "'; only 'Mutex sysvsem' makes SysV sets), or none of its modules needs one "
               "(prefork with a single Listen makes no accept mutex)");
}

void Recorder::ChildStarted(pid_t pid) {
  if (retained_->child_area != nullptr) ChildExits(retained_->child_area).ChildStarted(pid);
}

void Recorder::ChildExitingCleanly(pid_t pid) {
  if (retained_->child_area != nullptr) ChildExits(retained_->child_area).ChildExitedCleanly(pid);
}

void Recorder::ChildExited(pid_t pid) {
  if (retained_->child_area == nullptr) return;
  ChildExits exits(retained_->child_area);
  ChildExits::Exit how = exits.ParentSawExit(pid);
  log_.Debug("semguard: child pid " + std::to_string(pid) + " exited " +
             (how == ChildExits::Exit::kClean     ? "cleanly"
              : how == ChildExits::Exit::kUnclean ? "without a clean shutdown (signal or crash)"
                                                  : "(untracked)"));
  if (!settings_.enabled) return;
  // The cheap re-check: one IPC_STAT per recorded set.
  for (const RecordedSet& r : recorded_) {
    if (vanished_.count(r.set.semid)) continue;
    SemSet now;
    Status st = sysv_->Stat(r.set.semid, &now);
    if (st.ok() && CanBeTheSameSet(r.set, now)) continue;
    vanished_[r.set.semid] = true;
    exits.counters().vanished_sets.fetch_add(1, std::memory_order_relaxed);
    std::string what = st.ok() ? "its semid now names another set" : "it is gone";
    log_.Log(Level::kAlert, "SG00007",
             "semaphore set " + std::to_string(r.set.semid) + " (" + r.type +
                 ") vanished under this live server: " + what +
                 ". Someone removed it (an 'ipcrm' loop or cron job?); the mutex it backs no "
                 "longer works");
  }
}

}  // namespace semguard
