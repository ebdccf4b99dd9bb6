// The façade: every function fences exceptions and turns a Status into an sg_rc and a sentence.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger_file.h"
#include "module/recorder.h"
#include "module/retained.h"
#include "semguard.h"
#include "config/settings.h"
#include "page/page_query.h"
#include "page/render.h"
#include "os/sysv.h"

using semguard::Status;

struct sg_recorder {
  semguard::LogSink log;
  semguard::Recorder recorder;
};

namespace {

static_assert(static_cast<int>(semguard::CleanupMode::kOn) == SG_CLEANUP_ON &&
              static_cast<int>(semguard::CleanupMode::kReport) == SG_CLEANUP_REPORT &&
              static_cast<int>(semguard::CleanupMode::kOff) == SG_CLEANUP_OFF);
static_assert(static_cast<int>(semguard::AdoptMode::kOff) == SG_ADOPT_OFF &&
              static_cast<int>(semguard::AdoptMode::kReport) == SG_ADOPT_REPORT &&
              static_cast<int>(semguard::AdoptMode::kRemove) == SG_ADOPT_REMOVE);

void CopyMessage(const std::string& message, char* err, size_t errlen) {
  if (err != nullptr && errlen > 0) std::snprintf(err, errlen, "%s", message.c_str());
}

sg_rc ToRc(const Status& st, char* err, size_t errlen) {
  if (st.ok()) return SG_OK;
  CopyMessage(st.message(), err, errlen);
  switch (st.code()) {
    case Status::Code::kInvalid: return SG_EINVAL;
    case Status::Code::kIo: return SG_EIO;
    case Status::Code::kCorrupt: return SG_ECORRUPT;
    case Status::Code::kBusy: return SG_EBUSY;
    case Status::Code::kNotFound: return SG_ENOTFOUND;
    default: return SG_EINTERNAL;
  }
}

// Runs `body` and turns any exception into SG_EINTERNAL with its text.
template <typename Body>
sg_rc Fenced(const char* where, char* err, size_t errlen, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    CopyMessage(std::string("internal error in ") + where + ": " + e.what(), err, errlen);
  } catch (...) {
    CopyMessage(std::string("internal error in ") + where, err, errlen);
  }
  return SG_EINTERNAL;
}

// For void calls on a recorder: a caught exception becomes a log line.
template <typename Body>
void FencedVoid(sg_recorder* rec, const char* where, Body body) {
  if (rec == nullptr) return;
  char err[SG_ERRLEN] = "";
  if (Fenced(where, err, sizeof(err), [&] { body(rec->recorder); return SG_OK; }) != SG_OK) {
    rec->log.Log(semguard::Level::kError, "SG00012", err);
  }
}

}  // namespace

extern "C" {

sg_rc sg_parse_semguard(const char* value, int* enabled, char* err, size_t errlen) {
  return Fenced("sg_parse_semguard", err, errlen, [&] {
    bool on = true;
    sg_rc rc = ToRc(semguard::ParseSemGuard(value ? value : "", &on), err, errlen);
    if (rc == SG_OK) *enabled = on ? 1 : 0;
    return rc;
  });
}

sg_rc sg_parse_cleanup(const char* value, int* mode, char* err, size_t errlen) {
  return Fenced("sg_parse_cleanup", err, errlen, [&] {
    semguard::CleanupMode m = semguard::CleanupMode::kOn;
    sg_rc rc = ToRc(semguard::ParseCleanupMode(value ? value : "", &m), err, errlen);
    if (rc == SG_OK) *mode = static_cast<int>(m);
    return rc;
  });
}

sg_rc sg_parse_adopt(const char* value, int* mode, char* err, size_t errlen) {
  return Fenced("sg_parse_adopt", err, errlen, [&] {
    semguard::AdoptMode m = semguard::AdoptMode::kReport;
    sg_rc rc = ToRc(semguard::ParseAdoptMode(value ? value : "", &m), err, errlen);
    if (rc == SG_OK) *mode = static_cast<int>(m);
    return rc;
  });
}

sg_rc sg_parse_ledger_path(const char* value, char* err, size_t errlen) {
  return Fenced("sg_parse_ledger_path", err, errlen,
                [&] { return ToRc(semguard::ParseLedgerPath(value ? value : ""), err, errlen); });
}

const char* sg_config_file_from_argv(int argc, const char* const* argv) {
  // httpd's getopt: "-f file" or "-ffile"; the last one wins. Nothing here can throw.
  const char* found = nullptr;
  for (int i = 1; argv != nullptr && i < argc; ++i) {
    const char* a = argv[i];
    if (a == nullptr || a[0] != '-' || a[1] != 'f') continue;
    if (a[2] != '\0') found = a + 2;
    else if (i + 1 < argc) found = argv[++i];
  }
  return found;
}

sg_rc sg_default_ledger_name(const char* server_root, const char* config_file, char* out,
                             size_t outlen) {
  return Fenced("sg_default_ledger_name", out, outlen, [&] {
    CopyMessage(semguard::DefaultLedgerName(server_root ? server_root : "",
                                            config_file ? config_file : ""),
                out, outlen);
    return SG_OK;
  });
}

size_t sg_retained_size(void) { return sizeof(semguard::Retained); }

sg_rc sg_recorder_create(const sg_process_info* info, void* retained, sg_log_fn log, void* baton,
                         sg_recorder** out, char* err, size_t errlen) {
  return Fenced("sg_recorder_create", err, errlen, [&] {
    if (info == nullptr || retained == nullptr || out == nullptr) {
      CopyMessage("sg_recorder_create: a required argument is NULL", err, errlen);
      return SG_EINVAL;
    }
    semguard::Environment env;
    env.main_state = static_cast<semguard::MainState>(info->main_state);
    env.run_mode = static_cast<semguard::RunMode>(info->run_mode);
    env.generation = info->generation;
    env.euid = geteuid();
    env.server_root = info->server_root ? info->server_root : "";
    env.config_file = info->config_file ? info->config_file : "";
    env.apr_default_lock = info->apr_default_lock ? info->apr_default_lock : "unknown";
    semguard::LogSink sink(log, baton);
    *out = new sg_recorder{sink, semguard::Recorder(std::move(env),
                                                    static_cast<semguard::Retained*>(retained),
                                                    &semguard::RealSysV(), sink)};
    return SG_OK;
  });
}

void sg_recorder_destroy(sg_recorder* rec) { delete rec; }

void sg_recorder_first_snapshot(sg_recorder* rec) {
  FencedVoid(rec, "sg_recorder_first_snapshot", [](semguard::Recorder& r) { r.TakeFirstSnapshot(); });
}

void sg_recorder_configure(sg_recorder* rec, const sg_policy* policy) {
  if (policy == nullptr) return;
  FencedVoid(rec, "sg_recorder_configure", [&](semguard::Recorder& r) {
    semguard::Settings settings;
    settings.enabled = policy->enabled != 0;
    // Anything out of range keeps the directive's default.
    if (policy->cleanup >= SG_CLEANUP_ON && policy->cleanup <= SG_CLEANUP_OFF) {
      settings.cleanup = static_cast<semguard::CleanupMode>(policy->cleanup);
    }
    if (policy->adopt >= SG_ADOPT_OFF && policy->adopt <= SG_ADOPT_REMOVE) {
      settings.adopt = static_cast<semguard::AdoptMode>(policy->adopt);
    }
    settings.user = static_cast<uid_t>(policy->user);
    settings.group = static_cast<gid_t>(policy->group);
    r.Configure(settings, policy->ledger_path ? policy->ledger_path : "");
  });
}

void sg_recorder_checkpoint(sg_recorder* rec, sg_checkpoint cp, const char* const* modules_between,
                            size_t n_modules) {
  FencedVoid(rec, "sg_recorder_checkpoint", [&](semguard::Recorder& r) {
    std::vector<std::string_view> names;
    for (size_t i = 0; modules_between != nullptr && i < n_modules; ++i) {
      if (modules_between[i] != nullptr) names.emplace_back(modules_between[i]);
    }
    r.AtCheckpoint(static_cast<semguard::Checkpoint>(cp), names);
  });
}

void sg_recorder_child_started(sg_recorder* rec, long pid) {
  FencedVoid(rec, "sg_recorder_child_started",
             [pid](semguard::Recorder& r) { r.ChildStarted(static_cast<pid_t>(pid)); });
}

void sg_recorder_child_exiting_cleanly(sg_recorder* rec, long pid) {
  FencedVoid(rec, "sg_recorder_child_exiting_cleanly",
             [pid](semguard::Recorder& r) { r.ChildExitingCleanly(static_cast<pid_t>(pid)); });
}

void sg_recorder_child_exited(sg_recorder* rec, long pid) {
  FencedVoid(rec, "sg_recorder_child_exited",
             [pid](semguard::Recorder& r) { r.ChildExited(static_cast<pid_t>(pid)); });
}

void sg_recorder_monitor(sg_recorder* rec) {
  FencedVoid(rec, "sg_recorder_monitor", [](semguard::Recorder& r) { r.Monitor(); });
}

sg_rc sg_status_page(sg_recorder* rec, const char* args, sg_page_info* info, sg_write_fn write,
                     void* baton, char* err, size_t errlen) {
  return Fenced("sg_status_page", err, errlen, [&] {
    if (rec == nullptr || info == nullptr || write == nullptr) {
      CopyMessage("mod_semguard is not set up in this process", err, errlen);
      return SG_EINVAL;
    }
    semguard::PageQuery query;
    Status st = semguard::ParsePageQuery(args ? args : "", &query);
    std::string body;
    if (!st.ok()) {
      *info = {400, "text/plain; charset=utf-8", 0};
      body = st.message() + "\n";
    } else {
      semguard::PageModel m = rec->recorder.BuildPageModel(static_cast<int64_t>(time(nullptr)));
      *info = {200, semguard::ContentType(query.format), query.refresh};
      switch (query.format) {
        case semguard::PageFormat::kAuto: body = semguard::RenderAuto(m); break;
        case semguard::PageFormat::kJson: body = semguard::RenderJson(m); break;
        case semguard::PageFormat::kPrometheus: body = semguard::RenderPrometheus(m); break;
        case semguard::PageFormat::kHtml: body = semguard::RenderHtml(m, true, query.refresh); break;
      }
    }
    write(baton, body.data(), body.size());
    return SG_OK;
  });
}

sg_rc sg_status_section(sg_recorder* rec, int short_report, sg_write_fn write, void* baton,
                        char* err, size_t errlen) {
  return Fenced("sg_status_section", err, errlen, [&] {
    if (rec == nullptr || write == nullptr) {
      CopyMessage("mod_semguard is not set up in this process", err, errlen);
      return SG_EINVAL;
    }
    semguard::PageModel m = rec->recorder.BuildPageModel(static_cast<int64_t>(time(nullptr)));
    std::string body = short_report ? semguard::RenderAuto(m, "SemGuard") : semguard::RenderHtml(m, false, 0);
    write(baton, body.data(), body.size());
    return SG_OK;
  });
}

}  // extern "C"
