// The façade: every function fences exceptions and turns a Status into an sg_rc and a sentence.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "module/recorder.h"
#include "module/retained.h"
#include "os/proc_files.h"
#include "page/page_query.h"
#include "page/render.h"
#include "semguard.h"

using semguard::Status;

struct sg_recorder {
  semguard::LogSink log;
  semguard::Settings directives;  // as this pass's directives set them, defaults elsewhere
  std::string server_root;
  std::string config_file;
  semguard::Recorder recorder;
};

namespace {

// The façade's event numbers are the core's checkpoints, offset by the two config events.
static_assert(SG_EV_OPEN_LOGS_FIRST - SG_EV_OPEN_LOGS_FIRST ==
                  static_cast<int>(semguard::Checkpoint::kOpenLogsFirst) &&
              SG_EV_POST_CONFIG_LAST - SG_EV_OPEN_LOGS_FIRST ==
                  static_cast<int>(semguard::Checkpoint::kPostConfigLast));

const char kNotSetUp[] = "mod_semguard is not set up in this process";

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

std::string OrEmpty(const char* s) { return s != nullptr ? s : ""; }

std::vector<std::string_view> ModulesBetween(const sg_event_info* info) {
  std::vector<std::string_view> names;
  if (info == nullptr || info->modules_between == nullptr) return names;
  for (size_t i = 0; i < info->n_modules; ++i) {
    if (info->modules_between[i] != nullptr) names.emplace_back(info->modules_between[i]);
  }
  return names;
}

// check_config: the directives are final; fill in what they left to the defaults.
void Configure(sg_recorder* rec, const sg_event_info* info) {
  semguard::Settings settings = rec->directives;
  if (info != nullptr) {
    settings.user = static_cast<uid_t>(info->user);
    settings.group = static_cast<gid_t>(info->group);
  }
  if (settings.ledger_path.empty()) {
    const std::string runtime_dir = info != nullptr ? OrEmpty(info->runtime_dir) : "";
    if (runtime_dir.empty()) {
      rec->log.Log(semguard::Level::kError, "SG00014",
                   "httpd's runtime directory (DefaultRuntimeDir) is unknown, so the default "
                   "ledger path is too; mod_semguard is off");
      settings.enabled = false;
    } else {
      settings.ledger_path =
          semguard::DefaultLedgerPath(runtime_dir, rec->server_root, rec->config_file);
    }
  }
  rec->recorder.Configure(settings);
}

void Dispatch(sg_recorder* rec, sg_event_kind event, const sg_event_info* info) {
  semguard::Recorder& r = rec->recorder;
  const pid_t pid = info != nullptr ? static_cast<pid_t>(info->pid) : 0;
  switch (event) {
    case SG_EV_PRE_CONFIG: r.TakeFirstSnapshot(); return;
    case SG_EV_CHECK_CONFIG: Configure(rec, info); return;
    case SG_EV_CHILD_INIT: r.ChildStarted(pid); return;
    case SG_EV_CHILD_EXITING_CLEANLY: r.ChildExitingCleanly(pid); return;
    case SG_EV_CHILD_EXITED: r.ChildExited(pid); return;
    case SG_EV_MONITOR: r.Monitor(); return;
    default: break;
  }
  if (event >= SG_EV_OPEN_LOGS_FIRST && event <= SG_EV_POST_CONFIG_LAST) {
    r.AtCheckpoint(static_cast<semguard::Checkpoint>(event - SG_EV_OPEN_LOGS_FIRST),
                   ModulesBetween(info));
  }
}

std::string RenderView(sg_recorder* rec, sg_view view, const char* args, sg_page_info* info) {
  if (view == SG_VIEW_STATUS_HTML) {
    return semguard::RenderHtml(rec->recorder.BuildPageModel(), false, 0);
  }
  if (view == SG_VIEW_STATUS_AUTO) {
    return semguard::RenderAuto(rec->recorder.BuildPageModel(), "SemGuard");
  }
  semguard::PageQuery query;
  Status st = semguard::ParsePageQuery(OrEmpty(args), &query);
  if (!st.ok()) {
    if (info != nullptr) *info = {400, "text/plain; charset=utf-8", 0};
    return st.message() + "\n";
  }
  if (info != nullptr) *info = {200, semguard::ContentType(query.format), query.refresh};
  return semguard::Render(query.format, rec->recorder.BuildPageModel(), query.refresh);
}

}  // namespace

extern "C" {

size_t sg_retained_size(void) { return sizeof(semguard::Retained); }

sg_rc sg_recorder_create(const sg_process_info* info, void* retained, sg_log_fn log, void* baton,
                         sg_recorder** out, char* err, size_t errlen) {
  return Fenced("sg_recorder_create", err, errlen, [&] {
    if (info == nullptr || retained == nullptr || out == nullptr) {
      CopyMessage("sg_recorder_create: a required argument is NULL", err, errlen);
      return SG_EINVAL;
    }
    auto* kept = static_cast<semguard::Retained*>(retained);
    if (!semguard::InitRetained(kept)) {
      CopyMessage("the retained data was made by another version of mod_semguard (a graceful "
                  "restart into an upgraded module?); this server runs unguarded until it is "
                  "stopped and started",
                  err, errlen);
      return SG_EINVAL;
    }
    semguard::Environment env;
    env.main_state = static_cast<semguard::MainState>(info->main_state);
    env.run_mode = static_cast<semguard::RunMode>(info->run_mode);
    env.generation = info->generation;
    env.euid = geteuid();
    env.exe = semguard::ReadLinkTarget("/proc/self/exe");
    env.server_root = OrEmpty(info->server_root);
    env.config_file = semguard::ConfigFileOf(info->argc, info->argv,
                                             OrEmpty(info->default_config), env.server_root);
    env.apr_default_lock = info->apr_default_lock ? info->apr_default_lock : "unknown";
    semguard::LogSink sink(log, baton);
    const std::string root = env.server_root, config = env.config_file;
    *out = new sg_recorder{sink, semguard::Settings{}, root, config,
                           semguard::Recorder(std::move(env), kept, sink)};
    return SG_OK;
  });
}

void sg_recorder_destroy(sg_recorder* rec) { delete rec; }

sg_rc sg_directive(sg_recorder* rec, const char* name, const char* value, char* err,
                   size_t errlen) {
  if (rec == nullptr) return SG_OK;
  return Fenced("sg_directive", err, errlen, [&] {
    return ToRc(semguard::ApplyDirective(OrEmpty(name), OrEmpty(value), rec->server_root,
                                         &rec->directives),
                err, errlen);
  });
}

void sg_event(sg_recorder* rec, sg_event_kind event, const sg_event_info* info) {
  if (rec == nullptr) return;
  char err[SG_ERRLEN] = "";
  sg_rc rc = Fenced("sg_event", err, sizeof(err), [&] {
    Dispatch(rec, event, info);
    return SG_OK;
  });
  if (rc != SG_OK) rec->log.Log(semguard::Level::kError, "SG00012", err);
}

sg_rc sg_render(sg_recorder* rec, sg_view view, const char* args, sg_page_info* info,
                sg_write_fn write, void* baton, char* err, size_t errlen) {
  return Fenced("sg_render", err, errlen, [&] {
    if (rec == nullptr || write == nullptr) {
      CopyMessage(kNotSetUp, err, errlen);
      return SG_EINVAL;
    }
    const std::string body = RenderView(rec, view, args, info);
    write(baton, body.data(), body.size());
    return SG_OK;
  });
}

}  // extern "C"
