/* semguard.h: the C façade of the mod_semguard core, the only header the httpd glue includes.
 *
 * Conventions (every function obeys them)
 * - Handles are opaque. A NULL handle (no recorder: SG00013 was logged) changes nothing:
 *   sg_directive and sg_event return at once, sg_recorder_destroy ignores it, and sg_render,
 *   which owes its caller an answer, returns SG_EINVAL with "mod_semguard is not set up in this
 *   process".
 * - Functions that can fail return an sg_rc (SG_OK is 0) and, on failure, write a sentence
 *   naming the problem into the caller's buffer `err` of `errlen` bytes (SG_ERRLEN is enough).
 *   On success `err` is left untouched. Results go to out-parameters, never to `err`.
 * - Strings passed in are NUL-terminated and copied; nothing returned needs freeing.
 * - No C++ exception ever leaves these functions: each catches everything and reports it as
 *   SG_EINTERNAL (or, for void functions, as the tagged log line SG00012).
 * - Log lines reach the glue through the sg_log_fn given at creation, with httpd's levels
 *   (0 emerg ... 7 debug) and the "SGnnnnn: " tag already in the text.
 * - The façade grows by values, not by functions: a new directive is a name for sg_directive,
 *   a new hook an sg_event, a new view an sg_view.
 */
#ifndef SEMGUARD_H
#define SEMGUARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SG_API __attribute__((visibility("default")))
#else
#define SG_API
#endif

#define SG_ERRLEN 512

typedef enum {
    SG_OK = 0,
    SG_EINVAL = 1,
    SG_EIO = 2,
    SG_ECORRUPT = 3,
    SG_EBUSY = 4,
    SG_ENOTFOUND = 5,
    SG_EINTERNAL = 6
} sg_rc;

typedef void (*sg_log_fn)(void *baton, int level, const char *line);
typedef void (*sg_write_fn)(void *baton, const char *data, size_t len);

/* ---- Retained memory: the glue allocates sg_retained_size() zeroed bytes once per server
 * lifetime (ap_retained_data_create) and passes them to every recorder. ---- */
SG_API size_t sg_retained_size(void);

/* ---- The recorder, one per configuration pass (created in pre_config, destroyed with
 * pconf). ---- */
typedef struct sg_recorder sg_recorder;

/* What httpd knows at pre_config, passed through as plain values. */
typedef struct {
    int main_state;               /* ap_state_query(AP_SQ_MAIN_STATE) */
    int run_mode;                 /* ap_state_query(AP_SQ_RUN_MODE) */
    long generation;              /* ap_state_query(AP_SQ_CONFIG_GEN) */
    const char *server_root;      /* ap_server_root */
    int argc;                     /* httpd's command line, for its -f */
    const char *const *argv;
    const char *default_config;   /* SERVER_CONFIG_FILE, used without -f */
    const char *apr_default_lock; /* apr_proc_mutex_defname() */
} sg_process_info;

SG_API sg_rc sg_recorder_create(const sg_process_info *info, void *retained, sg_log_fn log,
                                void *baton, sg_recorder **out, char *err, size_t errlen);
SG_API void sg_recorder_destroy(sg_recorder *rec);

/* ---- Directives: SemGuard, SemGuardLedger, SemGuardCleanup, SemGuardAdopt. The core parses
 * the value and keeps it for this pass; a bad value returns SG_EINVAL and the sentence httpd
 * shows. The defaults and the default ledger path are the core's too. ---- */
SG_API sg_rc sg_directive(sg_recorder *rec, const char *name, const char *value, char *err,
                          size_t errlen);

/* ---- The lifecycle: one call per hook. ---- */
typedef enum {
    SG_EV_PRE_CONFIG = 0,          /* the first snapshot of the table */
    SG_EV_CHECK_CONFIG,            /* the directives are final: load the ledger */
    SG_EV_OPEN_LOGS_FIRST,         /* the checkpoints, in hook order */
    SG_EV_OPEN_LOGS_AFTER_MPM,
    SG_EV_OPEN_LOGS_LAST,
    SG_EV_POST_CONFIG_FIRST,
    SG_EV_POST_CONFIG_BEFORE_SSL,
    SG_EV_POST_CONFIG_AFTER_SSL,
    SG_EV_POST_CONFIG_AFTER_MODULE,      /* after another module known to make mutexes */
    SG_EV_POST_CONFIG_BEFORE_WATCHDOG,
    SG_EV_POST_CONFIG_LAST,
    SG_EV_CHILD_INIT,              /* in the child, after fork */
    SG_EV_CHILD_EXITING_CLEANLY,   /* in the child, from pchild's cleanup */
    SG_EV_CHILD_EXITED,            /* in the parent, child_status(MPM_CHILD_EXITED) */
    SG_EV_MONITOR                  /* in the parent, about every 10 s */
} sg_event_kind;

typedef struct {
    long pid;                             /* the child, for the SG_EV_CHILD_* events */
    long user, group;                     /* User and Group, for SG_EV_CHECK_CONFIG */
    const char *runtime_dir;              /* ap_runtime_dir_relative(p, ""), for the same */
    const char *const *modules_between;   /* checkpoints: source file names of the hooks */
    size_t n_modules;                     /* that ran since the module's previous checkpoint */
} sg_event_info;

/* `info` may be NULL when the event needs none of it. */
SG_API void sg_event(sg_recorder *rec, sg_event_kind event, const sg_event_info *info);

/* ---- Views: the status page (/semguard-status) and its section in mod_status. ---- */
typedef enum {
    SG_VIEW_PAGE = 0,     /* the page for the query string `args` (NULL for none) */
    SG_VIEW_STATUS_HTML,  /* mod_status's HTML section */
    SG_VIEW_STATUS_AUTO   /* mod_status's ?auto: "SemGuard..." Key: Value lines */
} sg_view;

typedef struct {
    int http_status;          /* 200, or 400 for a query it refuses */
    const char *content_type; /* a static string */
    int refresh;              /* seconds for a Refresh header; 0 for none */
} sg_page_info;

/* Renders `view`. *info (may be NULL) is complete before the first call of `write`, so the
 * writer can send headers on its first call. */
SG_API sg_rc sg_render(sg_recorder *rec, sg_view view, const char *args, sg_page_info *info,
                       sg_write_fn write, void *baton, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SEMGUARD_H */
