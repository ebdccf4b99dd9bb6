/* mod_semguard_crashlate: a start killed late in post_config, for the integration tests only.
 *
 *   TestCrashLate first|daemon  SIGKILL this process in post_config at APR_HOOK_REALLY_LAST,
 *                               after every other module's post_config has made its mutexes
 *                               (mod_proxy_balancer, mod_auth_digest, mod_rewrite, ...) but
 *                               before mod_semguard's last checkpoint (REALLY_LAST + 10): the
 *                               first pass, or the detached daemon's first generation.
 *
 * tests/modules/mod_semguard_testhooks.c crashes at APR_HOOK_MIDDLE + 5, right after mod_ssl;
 * this one leaves the window between two of mod_semguard's checkpoints as wide as it can be.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"

#include <signal.h>
#include <strings.h>
#include <unistd.h>

module AP_MODULE_DECLARE_DATA semguard_crashlate_module;

static const char *crash_at; /* NULL, "first" or "daemon" */

static const char *set_crash(cmd_parms *cmd, void *dummy, const char *arg)
{
    if (strcasecmp(arg, "first") != 0 && strcasecmp(arg, "daemon") != 0) {
        return "TestCrashLate: use first or daemon";
    }
    crash_at = arg;
    return NULL;
}

static int reset_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    crash_at = NULL;
    return OK;
}

static int crash_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int state = ap_state_query(AP_SQ_MAIN_STATE);
    if (crash_at != NULL &&
        ((state == AP_SQ_MS_CREATE_PRE_CONFIG && strcasecmp(crash_at, "first") == 0) ||
         (state == AP_SQ_MS_CREATE_CONFIG && strcasecmp(crash_at, "daemon") == 0))) {
        kill(getpid(), SIGKILL);
    }
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(reset_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(crash_post_config, NULL, NULL, APR_HOOK_REALLY_LAST);
}

static const command_rec cmds[] = {
    AP_INIT_TAKE1("TestCrashLate", set_crash, NULL, RSRC_CONF, "first or daemon"),
    {NULL}
};

AP_DECLARE_MODULE(semguard_crashlate) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, cmds, register_hooks, AP_MODULE_FLAG_NONE
};
