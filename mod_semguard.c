/* mod_semguard: records the SysV semaphore sets this server creates (see README.md).
 *
 * This file is glue only: the module record, the directives, config create/merge, the hooks
 * and the trampolines into the C++ core (src/include/semguard.h), which holds all logic.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "ap_mpm.h"
#include "http_protocol.h"
#include "mod_status.h"
#include "mpm_common.h"
#include "unixd.h"
#include "apr_proc_mutex.h"
#include "apr_strings.h"

#include <unistd.h>

#include "src/include/semguard.h"

module AP_MODULE_DECLARE_DATA semguard_module;

#define SG_RETAINED_KEY "mod_semguard-retained"

/* The recorder of the current configuration pass; destroyed with pconf. */
static sg_recorder *recorder;
/* Where the core's log lines go: the main server once it exists. */
static server_rec *log_server;

static void log_line(void *baton, int level, const char *line)
{
    (void)baton;
    ap_log_error(APLOG_MARK, level, 0, log_server, "%s", line);
}

/* ---- Configuration: the core parses and keeps every SemGuard* directive ---- */

static const char *set_directive(cmd_parms *cmd, void *dummy, const char *arg)
{
    char err[SG_ERRLEN];
    const char *context = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dummy;
    if (context != NULL) {
        return context;
    }
    if (sg_directive(recorder, cmd->cmd->name, arg, err, sizeof(err)) != SG_OK) {
        return apr_pstrdup(cmd->pool, err);
    }
    return NULL;
}

static const command_rec semguard_cmds[] = {
    AP_INIT_TAKE1("SemGuard", set_directive, NULL, RSRC_CONF,
                  "On or Off: record the SysV semaphore sets this server creates"),
    AP_INIT_TAKE1("SemGuardCleanup", set_directive, NULL, RSRC_CONF,
                  "On, Report or Off: remove the previous unclean run's leftover sets at start"),
    AP_INIT_TAKE1("SemGuardAdopt", set_directive, NULL, RSRC_CONF,
                  "Off, Report, Remove or Auto: httpd-shaped leftover sets that no ledger knows"),
    AP_INIT_TAKE1("SemGuardLedger", set_directive, NULL, RSRC_CONF,
                  "The file recording this instance's semaphore sets"),
    {NULL}
};

/* ---- Hooks ---- */

static apr_status_t destroy_recorder(void *unused)
{
    (void)unused;
    sg_recorder_destroy(recorder);
    recorder = NULL;
    return APR_SUCCESS;
}

static int sg_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    void *retained = ap_retained_data_get(SG_RETAINED_KEY);
    sg_process_info info;
    char err[SG_ERRLEN];
    (void)plog;
    (void)ptemp;
    if (retained == NULL) {
        retained = ap_retained_data_create(SG_RETAINED_KEY, sg_retained_size());
    }
    info.main_state = ap_state_query(AP_SQ_MAIN_STATE);
    info.run_mode = ap_state_query(AP_SQ_RUN_MODE);
    info.generation = ap_state_query(AP_SQ_CONFIG_GEN);
    info.server_root = ap_server_root;
    info.argc = ap_server_conf && ap_server_conf->process ? ap_server_conf->process->argc : 0;
    info.argv = ap_server_conf && ap_server_conf->process ? ap_server_conf->process->argv : NULL;
    info.default_config = SERVER_CONFIG_FILE;
    info.apr_default_lock = apr_proc_mutex_defname();
    log_server = NULL;
    if (sg_recorder_create(&info, retained, log_line, NULL, &recorder, err, sizeof(err)) != SG_OK) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, NULL, "SG00013: %s", err);
        return OK; /* the server runs unguarded rather than not at all */
    }
    apr_pool_cleanup_register(pconf, NULL, destroy_recorder, apr_pool_cleanup_null);
    sg_event(recorder, SG_EV_PRE_CONFIG, NULL);
    return OK;
}

static int sg_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    sg_event_info info = {0};
    (void)pconf;
    (void)plog;
    log_server = s;
    info.user = (long)ap_unixd_config.user_id;
    info.group = (long)ap_unixd_config.group_id;
    info.runtime_dir = ap_runtime_dir_relative(ptemp, "");
    sg_event(recorder, SG_EV_CHECK_CONFIG, &info);
    return OK;
}

/* The source file names of the hooks that run since the module's previous hook in the sorted
 * array, up to `self` (APR's sort may put other modules' hooks between a "before" and an
 * "after" hook, so this is read, not assumed). 0 names: more than `max`, or no hook of ours
 * before `self`. */
#define SG_MODULES_SINCE_OURS(hook, link_t)                                                 \
    static size_t modules_since_ours_##hook(void *self, const char **names, size_t max)    \
    {                                                                                       \
        apr_array_header_t *hooks = ap_hook_get_##hook();                                   \
        const link_t *links = hooks ? (const link_t *)hooks->elts : NULL;                   \
        size_t n = 0;                                                                       \
        int i, at = -1;                                                                     \
        for (i = 0; links != NULL && i < hooks->nelts && at < 0; i++) {                     \
            if ((void *)links[i].pFunc == self) { at = i; }                                 \
        }                                                                                   \
        for (i = at - 1; i >= 0; i--) {                                                     \
            const char *name = links[i].szName ? links[i].szName : "";                      \
            if (strcmp(name, semguard_module.name) == 0) { return n; }                      \
            if (n == max) { return 0; }                                                     \
            names[n++] = name;                                                              \
        }                                                                                   \
        return 0;                                                                           \
    }

SG_MODULES_SINCE_OURS(open_logs, ap_LINK_open_logs_t)
SG_MODULES_SINCE_OURS(post_config, ap_LINK_post_config_t)

#define SG_MAX_BETWEEN 8

/* One trampoline per checkpoint, each a function of its own (the hook array knows hooks by
 * their function). The sets that appear before it are labelled by the modules that ran since
 * the module's previous checkpoint (src/module/mutex_labels.*). */
#define SG_CHECKPOINT(name, cp, hook)                                                          \
    static int name(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)    \
    {                                                                                          \
        const char *names[SG_MAX_BETWEEN] = {NULL};                                            \
        sg_event_info info = {0};                                                              \
        (void)pconf; (void)plog; (void)ptemp;                                                  \
        info.n_modules = modules_since_ours_##hook((void *)name, names, SG_MAX_BETWEEN);       \
        info.modules_between = names;                                                          \
        log_server = s;                                                                        \
        sg_event(recorder, cp, &info);                                                         \
        return OK;                                                                             \
    }

SG_CHECKPOINT(sg_open_logs_first, SG_EV_OPEN_LOGS_FIRST, open_logs)
SG_CHECKPOINT(sg_open_logs_after_mpm, SG_EV_OPEN_LOGS_AFTER_MPM, open_logs)
SG_CHECKPOINT(sg_open_logs_last, SG_EV_OPEN_LOGS_LAST, open_logs)
SG_CHECKPOINT(sg_post_config_first, SG_EV_POST_CONFIG_FIRST, post_config)
SG_CHECKPOINT(sg_post_config_before_ssl, SG_EV_POST_CONFIG_BEFORE_SSL, post_config)
SG_CHECKPOINT(sg_post_config_after_ssl, SG_EV_POST_CONFIG_AFTER_SSL, post_config)
SG_CHECKPOINT(sg_after_proxy, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_proxy_balancer, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_auth_digest, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_rewrite, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_ldap, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_authn_socache, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_cache_socache, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_after_lua, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_post_config_before_watchdog, SG_EV_POST_CONFIG_BEFORE_WATCHDOG, post_config)
SG_CHECKPOINT(sg_after_watchdog, SG_EV_POST_CONFIG_AFTER_MODULE, post_config)
SG_CHECKPOINT(sg_post_config_last, SG_EV_POST_CONFIG_LAST, post_config)

typedef int sg_post_config_fn(apr_pool_t *, apr_pool_t *, apr_pool_t *, server_rec *);

/* Modules that make mutexes in their post_config (httpd 2.4.37 to 2.4.6x), each followed by a
 * checkpoint of its own, registered as an "after" hook one order step before the module's own
 * (see register_hooks). mod_ssl runs before mod_proxy (it says so) and mod_proxy before
 * mod_proxy_balancer: each of these needs a step of its own, or a later module's hook would pull
 * the earlier module into its own window. mod_watchdog registers at LAST. */
static const struct {
    sg_post_config_fn *after;
    const char *const module[2];
    int order;
} post_config_makers[] = {
    {sg_after_proxy, {"mod_proxy.c", NULL}, APR_HOOK_MIDDLE - 2},
    {sg_after_proxy_balancer, {"mod_proxy_balancer.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_auth_digest, {"mod_auth_digest.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_rewrite, {"mod_rewrite.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_ldap, {"util_ldap.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_authn_socache, {"mod_authn_socache.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_cache_socache, {"mod_cache_socache.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_lua, {"mod_lua.c", NULL}, APR_HOOK_MIDDLE - 1},
    {sg_after_watchdog, {"mod_watchdog.c", NULL}, APR_HOOK_LAST - 1},
};

/* One event about a process, for the child and monitor hooks. */
static void process_event(sg_event_kind event, long pid)
{
    sg_event_info info = {0};
    info.pid = pid;
    sg_event(recorder, event, &info);
}

static apr_status_t child_exiting_cleanly(void *unused)
{
    (void)unused;
    process_event(SG_EV_CHILD_EXITING_CLEANLY, (long)getpid());
    return APR_SUCCESS;
}

static void sg_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)s;
    process_event(SG_EV_CHILD_INIT, (long)getpid());
    /* pchild is destroyed on every clean child exit, never after SIGKILL or a crash. */
    apr_pool_cleanup_register(pchild, NULL, child_exiting_cleanly, apr_pool_cleanup_null);
}

static void sg_child_status(server_rec *s, pid_t pid, ap_generation_t gen, int slot,
                            mpm_child_status state)
{
    (void)s; (void)gen; (void)slot;
    if (state == MPM_CHILD_EXITED) {
        process_event(SG_EV_CHILD_EXITED, (long)pid);
    }
}

/* ---- The status page and mod_status's section ---- */

typedef struct {
    request_rec *r;
    const sg_page_info *info; /* NULL when headers are not ours to set */
} sg_page_writer;

static void write_page(void *baton, const char *data, size_t len)
{
    sg_page_writer *w = baton;
    if (w->info != NULL) {
        w->r->status = w->info->http_status;
        ap_set_content_type(w->r, w->info->content_type);
        if (w->info->refresh > 0) {
            apr_table_setn(w->r->headers_out, "Refresh", apr_itoa(w->r->pool, w->info->refresh));
        }
        w->info = NULL;
    }
    if (!w->r->header_only) {
        ap_rwrite(data, (int)len, w->r);
    }
}

static int sg_status_handler(request_rec *r)
{
    sg_page_info info;
    sg_page_writer writer;
    char err[SG_ERRLEN];
    if (r->handler == NULL || strcmp(r->handler, "semguard-status") != 0) {
        return DECLINED;
    }
    r->allowed = (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return DECLINED; /* as mod_status: other methods are the default handler's to answer */
    }
    writer.r = r;
    writer.info = &info;
    if (sg_render(recorder, SG_VIEW_PAGE, r->args, &info, write_page, &writer, err, sizeof(err))
        != SG_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "SG00027: cannot render the status page: %s",
                      err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int sg_status_hook(request_rec *r, int flags)
{
    sg_page_writer writer;
    char err[SG_ERRLEN];
    writer.r = r;
    writer.info = NULL;
    sg_view view = (flags & AP_STATUS_SHORT) ? SG_VIEW_STATUS_AUTO : SG_VIEW_STATUS_HTML;
    if (sg_render(recorder, view, NULL, NULL, write_page, &writer, err, sizeof(err)) != SG_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "SG00028: cannot add the mod_status section: %s",
                      err);
    }
    return OK;
}

static int sg_monitor(apr_pool_t *p, server_rec *s)
{
    (void)p; (void)s;
    sg_event(recorder, SG_EV_MONITOR, NULL);
    return DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const mpms[] = {"prefork.c", "worker.c", "event.c", NULL};
    static const char *const ssl[] = {"mod_ssl.c", NULL};
    static const char *const watchdog[] = {"mod_watchdog.c", NULL};
    static const char *const watchdog_callers[] = {"mod_proxy_hcheck.c", "mod_md.c", NULL};
    size_t i;
    (void)p;
    ap_hook_pre_config(sg_pre_config, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_check_config(sg_check_config, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* Around the MPM's open_logs, which creates the accept mutex, then after everything.
     * An "after" hook ordered just before its module's own order makes APR's sort run the
     * module's hook right before it, so nothing else runs in between (checked at run time). */
    ap_hook_open_logs(sg_open_logs_first, NULL, mpms, APR_HOOK_REALLY_FIRST - 10);
    ap_hook_open_logs(sg_open_logs_after_mpm, mpms, NULL, APR_HOOK_REALLY_FIRST - 1);
    ap_hook_open_logs(sg_open_logs_last, NULL, NULL, APR_HOOK_REALLY_LAST + 10);
    /* Around mod_ssl's post_config (ssl-cache, ssl-stapling*), then after each other module
     * that makes mutexes there: ordered before the MIDDLE group, so that nothing of that group
     * runs in between. mod_watchdog's callers (mod_proxy_hcheck, mod_md) run before it, so its
     * "before" hook waits for them. */
    ap_hook_post_config(sg_post_config_first, NULL, NULL, APR_HOOK_REALLY_FIRST - 10);
    ap_hook_post_config(sg_post_config_before_ssl, NULL, ssl, APR_HOOK_MIDDLE - 3);
    ap_hook_post_config(sg_post_config_after_ssl, ssl, NULL, APR_HOOK_MIDDLE - 3);
    for (i = 0; i < sizeof(post_config_makers) / sizeof(post_config_makers[0]); i++) {
        ap_hook_post_config(post_config_makers[i].after, post_config_makers[i].module, NULL,
                            post_config_makers[i].order);
    }
    ap_hook_post_config(sg_post_config_before_watchdog, watchdog_callers, watchdog,
                        APR_HOOK_LAST - 1);
    ap_hook_post_config(sg_post_config_last, NULL, NULL, APR_HOOK_REALLY_LAST + 10);
    ap_hook_child_init(sg_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_status(sg_child_status, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_monitor(sg_monitor, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(sg_status_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, sg_status_hook, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(semguard) = {
    STANDARD20_MODULE_STUFF,
    NULL,               /* per-directory config: none */
    NULL,
    NULL,               /* per-server config: none, the core keeps the directives */
    NULL,
    semguard_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
