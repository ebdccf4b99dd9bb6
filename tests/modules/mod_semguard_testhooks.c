/* mod_semguard_testhooks: failures on demand for the integration tests, never for production.
 *
 *   TestCrashAtStart first|daemon  SIGKILL this process in post_config (after the accept mutex
 *                                  exists): in the first pass (the starting command dies), or in
 *                                  the detached daemon's first generation.
 *   SetHandler semguard-test-sleep a request that takes ?N seconds (default 30), to keep a child
 *                                  busy while the server is asked to stop.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_protocol.h"

#include <signal.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

module AP_MODULE_DECLARE_DATA semguard_testhooks_module;

static const char *crash_at; /* NULL, "first" or "daemon" */

static const char *set_crash(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)cmd; (void)dummy;
    if (strcasecmp(arg, "first") != 0 && strcasecmp(arg, "daemon") != 0) {
        return "TestCrashAtStart: use first or daemon";
    }
    crash_at = arg;
    return NULL;
}

static int crash_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int state = ap_state_query(AP_SQ_MAIN_STATE);
    (void)pconf; (void)plog; (void)ptemp; (void)s;
    if (crash_at != NULL &&
        ((state == AP_SQ_MS_CREATE_PRE_CONFIG && strcasecmp(crash_at, "first") == 0) ||
         (state == AP_SQ_MS_CREATE_CONFIG && strcasecmp(crash_at, "daemon") == 0))) {
        kill(getpid(), SIGKILL);
    }
    return OK;
}

static int sleep_handler(request_rec *r)
{
    int seconds = r->args ? atoi(r->args) : 30;
    if (r->handler == NULL || strcmp(r->handler, "semguard-test-sleep") != 0) {
        return DECLINED;
    }
    ap_set_content_type(r, "text/plain");
    ap_rputs("sleeping\n", r);
    ap_rflush(r);
    sleep((unsigned)(seconds > 0 ? seconds : 30));
    return OK;
}

static void clear_state(void)
{
    crash_at = NULL;
}

static int reset_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf; (void)plog; (void)ptemp;
    clear_state();
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(reset_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(crash_post_config, NULL, NULL, APR_HOOK_MIDDLE + 5);
    ap_hook_handler(sleep_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

static const command_rec cmds[] = {
    AP_INIT_TAKE1("TestCrashAtStart", set_crash, NULL, RSRC_CONF, "first or daemon"),
    {NULL}
};

AP_DECLARE_MODULE(semguard_testhooks) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, cmds, register_hooks, AP_MODULE_FLAG_NONE
};
