/* semguard.h: the C façade of the mod_semguard core, the only header the httpd glue includes.
 *
 * Conventions
 * - Handles are opaque. Functions taking one accept NULL and then do nothing.
 * - Functions that can fail return an sg_rc (SG_OK is 0) and, on failure, write a sentence
 *   naming the problem into the caller's buffer `err` of `errlen` bytes (SG_ERRLEN is enough).
 *   On success `err` is left untouched.
 * - Strings passed in are NUL-terminated and copied; nothing returned needs freeing.
 * - No C++ exception ever leaves these functions: each catches everything and reports it as
 *   SG_EINTERNAL (or, for void functions, as a tagged log line).
 * - Log lines reach the glue through the sg_log_fn given at creation, with httpd's levels
 *   (0 emerg ... 7 debug) and the "SGnnnnn: " tag already in the text.
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

/* ---- Directive values: pure parsers, one per directive. ---- */
SG_API sg_rc sg_parse_semguard(const char *value, int *enabled, char *err, size_t errlen);
SG_API sg_rc sg_parse_ledger_path(const char *value, char *err, size_t errlen);
/* SemGuardCleanup On|Report|Off -> SG_CLEANUP_*; SemGuardAdopt Off|Report|Remove -> SG_ADOPT_*. */
enum { SG_CLEANUP_ON = 0, SG_CLEANUP_REPORT = 1, SG_CLEANUP_OFF = 2 };
enum { SG_ADOPT_OFF = 0, SG_ADOPT_REPORT = 1, SG_ADOPT_REMOVE = 2 };
SG_API sg_rc sg_parse_cleanup(const char *value, int *mode, char *err, size_t errlen);
SG_API sg_rc sg_parse_adopt(const char *value, int *mode, char *err, size_t errlen);

/* The -f argument in httpd's command line, or NULL when there is none. */
SG_API const char *sg_config_file_from_argv(int argc, const char *const *argv);
/* The default ledger file name (no directory) for this ServerRoot and config file. */
SG_API sg_rc sg_default_ledger_name(const char *server_root, const char *config_file,
                                    char *out, size_t outlen);

/* ---- Retained memory: the glue allocates sg_retained_size() zeroed bytes once per server
 * lifetime (ap_retained_data_create) and passes them to every recorder. ---- */
SG_API size_t sg_retained_size(void);

/* ---- The recorder, one per configuration pass. ---- */
typedef struct sg_recorder sg_recorder;

/* httpd's ap_state_query(AP_SQ_MAIN_STATE / AP_SQ_RUN_MODE) values, passed through. */
typedef struct {
    int main_state;
    int run_mode;
    long generation;
    const char *server_root;
    const char *config_file;
    const char *apr_default_lock; /* apr_proc_mutex_defname() */
} sg_process_info;

typedef enum {
    SG_CP_OPEN_LOGS_FIRST = 0,
    SG_CP_OPEN_LOGS_AFTER_MPM,
    SG_CP_OPEN_LOGS_LAST,
    SG_CP_POST_CONFIG_FIRST,
    SG_CP_POST_CONFIG_BEFORE_SSL,
    SG_CP_POST_CONFIG_AFTER_SSL,
    SG_CP_POST_CONFIG_LAST
} sg_checkpoint;

SG_API sg_rc sg_recorder_create(const sg_process_info *info, void *retained, sg_log_fn log,
                                void *baton, sg_recorder **out, char *err, size_t errlen);
SG_API void sg_recorder_destroy(sg_recorder *rec);
/* pre_config */
SG_API void sg_recorder_first_snapshot(sg_recorder *rec);
/* check_config: the directives' values. */
typedef struct {
    int enabled;             /* SemGuard */
    const char *ledger_path; /* SemGuardLedger or the default, absolute */
    int cleanup;             /* SG_CLEANUP_* */
    int adopt;               /* SG_ADOPT_* */
    long user;               /* User and Group, as numbers */
    long group;
} sg_policy;
SG_API void sg_recorder_configure(sg_recorder *rec, const sg_policy *policy);
/* open_logs / post_config; modules_between: source file names of the hooks that ran since the
 * previous checkpoint. */
SG_API void sg_recorder_checkpoint(sg_recorder *rec, sg_checkpoint cp,
                                   const char *const *modules_between, size_t n_modules);
/* child_init, the child's clean exit, and child_status(MPM_CHILD_EXITED) in the parent. */
SG_API void sg_recorder_child_started(sg_recorder *rec, long pid);
SG_API void sg_recorder_child_exiting_cleanly(sg_recorder *rec, long pid);
SG_API void sg_recorder_child_exited(sg_recorder *rec, long pid);

/* The parent's monitor hook (about every 10 s): refreshes the counts the status page shows. */
SG_API void sg_recorder_monitor(sg_recorder *rec);

/* ---- The status page (/semguard-status) and its section in mod_status. ---- */
typedef void (*sg_write_fn)(void *baton, const char *data, size_t len);

typedef struct {
    int http_status;          /* 200, or 400 for a query it refuses */
    const char *content_type; /* a static string */
    int refresh;              /* seconds for a Refresh header; 0 for none */
} sg_page_info;

/* Renders the page for the query string `args` (NULL for none). *info is complete before the
 * first call of `write`, so the writer can send headers on its first call. */
SG_API sg_rc sg_status_page(sg_recorder *rec, const char *args, sg_page_info *info,
                            sg_write_fn write, void *baton, char *err, size_t errlen);
/* mod_status's status_hook: "SemGuard..." Key: Value lines for ?auto, else an HTML section. */
SG_API sg_rc sg_status_section(sg_recorder *rec, int short_report, sg_write_fn write,
                               void *baton, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SEMGUARD_H */
