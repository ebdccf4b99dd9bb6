/* mod_semguard_killat: SIGKILL the parent at one named point of a start or a restart, for the
 * integration tests only (tests/integration/test_kill_phases.py).
 *
 * The point comes from the environment, not from a directive: pre_config runs before httpd
 * applies the directives, and the daemon keeps the environment it was started with, so a start
 * given SEMGUARD_KILLAT="POINT PASS" dies there, or at its first restart for PASS restart.
 *
 *   POINT  pre_config       pre_config, REALLY_LAST: after mod_semguard's snapshot, before
 *                           any module made a mutex of this pass
 *          after_accept     open_logs, MIDDLE: the MPM's accept mutex exists (and is recorded
 *                           at mod_semguard's open_logs-after-mpm checkpoint), mod_ssl's
 *                           mutexes do not yet
 *          after_ssl        post_config, MIDDLE + 5: mod_ssl's ssl-cache exists
 *          post_config_late post_config, REALLY_LAST: every other module made its mutexes,
 *                           mod_semguard's last checkpoint (REALLY_LAST + 10) has not run
 *   PASS   first            the first pass (main state CREATE_PRE_CONFIG): the -k start process
 *          daemon           the detached daemon's first generation (config generation 1)
 *          restart          any later generation: a graceful or plain restart
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

module AP_MODULE_DECLARE_DATA semguard_killat_module;

static int pass_matches(const char *pass)
{
    int state = ap_state_query(AP_SQ_MAIN_STATE);
    int gen = ap_state_query(AP_SQ_CONFIG_GEN);
    if (strcmp(pass, "first") == 0) {
        return state == AP_SQ_MS_CREATE_PRE_CONFIG;
    }
    if (state != AP_SQ_MS_CREATE_CONFIG) {
        return 0;
    }
    if (strcmp(pass, "daemon") == 0) {
        return gen == 1;
    }
    return strcmp(pass, "restart") == 0 && gen >= 2;
}

/* Dies here when SEMGUARD_KILLAT names this point and the pass that runs now. */
static void kill_if_named(const char *point)
{
    char want_point[64], want_pass[16];
    const char *spec = getenv("SEMGUARD_KILLAT");
    if (spec == NULL || sscanf(spec, "%63s %15s", want_point, want_pass) != 2) {
        return;
    }
    if (ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_NORMAL) {
        return; /* -t, -k graceful's signalling process and the like never die */
    }
    if (strcmp(want_point, point) == 0 && pass_matches(want_pass)) {
        kill(getpid(), SIGKILL);
    }
}

static int at_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    kill_if_named("pre_config");
    return OK;
}

static int at_open_logs(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    kill_if_named("after_accept");
    return OK;
}

static int at_post_config_ssl(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              server_rec *s)
{
    kill_if_named("after_ssl");
    return OK;
}

static int at_post_config_late(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                               server_rec *s)
{
    kill_if_named("post_config_late");
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_ssl[] = {"mod_ssl.c", NULL};
    ap_hook_pre_config(at_pre_config, NULL, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_open_logs(at_open_logs, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(at_post_config_ssl, after_ssl, NULL, APR_HOOK_MIDDLE + 5);
    ap_hook_post_config(at_post_config_late, NULL, NULL, APR_HOOK_REALLY_LAST);
}

AP_DECLARE_MODULE(semguard_killat) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, register_hooks, AP_MODULE_FLAG_NONE
};
