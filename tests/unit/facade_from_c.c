/* The façade as a C caller sees it. The Makefile compiles this file with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic, and facade_test.cc runs it: every function of
 * semguard.h is called, with and without a handle, and the answers are checked. Run mode
 * "config test" keeps the recorder from touching the kernel's table or any file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semguard.h"

int sg_facade_from_c(char *report, size_t len);

typedef struct {
    char text[8192];
    size_t used;
} sg_text;

static void collect(void *baton, const char *data, size_t len)
{
    sg_text *t = baton;
    if (t->used + len < sizeof(t->text)) {
        memcpy(t->text + t->used, data, len);
        t->used += len;
        t->text[t->used] = '\0';
    }
}

static void ignore_line(void *baton, int level, const char *line)
{
    (void)baton;
    (void)level;
    (void)line;
}

/* Appends a failed check to the report; counts it. */
static int check(int ok, const char *what, char *report, size_t len)
{
    size_t used = strlen(report);
    if (!ok && used < len) {
        snprintf(report + used, len - used, "failed: %s\n", what);
    }
    return ok ? 0 : 1;
}

static int null_handles(char *report, size_t len)
{
    char err[SG_ERRLEN] = "";
    sg_text page = {{0}, 0};
    int failed = 0;
    sg_event(NULL, SG_EV_MONITOR, NULL);
    failed += check(sg_directive(NULL, "SemGuard", "Off", err, sizeof(err)) == SG_OK,
                    "sg_directive(NULL) does nothing", report, len);
    failed += check(sg_render(NULL, SG_VIEW_PAGE, NULL, NULL, collect, &page, err, sizeof(err)) ==
                        SG_EINVAL && strcmp(err, "mod_semguard is not set up in this process") == 0,
                    "sg_render(NULL) says it is not set up", report, len);
    failed += check(page.used == 0, "sg_render(NULL) writes nothing", report, len);
    sg_recorder_destroy(NULL);
    return failed;
}

static int with_a_recorder(sg_recorder *rec, char *report, size_t len)
{
    static const char *const modules[] = {"prefork.c"};
    char err[SG_ERRLEN] = "";
    sg_text page = {{0}, 0};
    sg_page_info info = {0, NULL, 0};
    sg_event_info ev;
    int failed = 0;

    failed += check(sg_directive(rec, "SemGuardCleanup", "Sometimes", err, sizeof(err)) ==
                            SG_EINVAL &&
                        strcmp(err, "SemGuardCleanup: 'Sometimes' is not valid; use On, Report "
                                    "or Off") == 0,
                    "a bad value gets httpd's sentence", report, len);
    failed += check(sg_directive(rec, "SemGuardAdopt", "remove", err, sizeof(err)) == SG_OK,
                    "keywords in any case", report, len);
    failed += check(sg_directive(rec, "SemGuardLedger", "run/x.ledger", err, sizeof(err)) ==
                        SG_OK, "a relative ledger path", report, len);
    failed += check(sg_directive(rec, "SemGuardNoSuch", "x", err, sizeof(err)) == SG_EINVAL,
                    "an unknown directive is refused", report, len);

    memset(&ev, 0, sizeof(ev));
    ev.runtime_dir = "/tmp";
    ev.user = 33;
    ev.group = 33;
    sg_event(rec, SG_EV_PRE_CONFIG, NULL);
    sg_event(rec, SG_EV_CHECK_CONFIG, &ev);
    ev.modules_between = modules;
    ev.n_modules = 1;
    sg_event(rec, SG_EV_OPEN_LOGS_AFTER_MPM, &ev);
    sg_event(rec, SG_EV_MONITOR, NULL);

    failed += check(sg_render(rec, SG_VIEW_PAGE, "json", &info, collect, &page, err,
                              sizeof(err)) == SG_OK,
                    "the page renders", report, len);
    failed += check(info.http_status == 200 && info.content_type != NULL &&
                        strncmp(info.content_type, "application/json", 16) == 0,
                    "?json is 200 application/json", report, len);
    failed += check(page.used > 0 && page.text[0] == '{' && strstr(page.text, "\"version\":1"),
                    "?json is a JSON object", report, len);

    page.used = 0;
    failed += check(sg_render(rec, SG_VIEW_PAGE, "format=xml", &info, collect, &page, err,
                              sizeof(err)) == SG_OK && info.http_status == 400,
                    "a refused query is a 400", report, len);

    page.used = 0;
    failed += check(sg_render(rec, SG_VIEW_STATUS_AUTO, NULL, NULL, collect, &page, err,
                              sizeof(err)) == SG_OK && strncmp(page.text, "SemGuard", 8) == 0,
                    "mod_status's ?auto lines start with SemGuard", report, len);
    return failed;
}

int sg_facade_from_c(char *report, size_t len)
{
    char err[SG_ERRLEN] = "";
    const char *argv[] = {"httpd", "-f", "conf/httpd.conf"};
    sg_process_info info;
    sg_recorder *rec = NULL;
    void *retained = calloc(1, sg_retained_size());
    int failed = 0;

    report[0] = '\0';
    failed += null_handles(report, len);
    info.main_state = 2; /* AP_SQ_MS_CREATE_PRE_CONFIG */
    info.run_mode = 3;   /* AP_SQ_RM_CONFIG_TEST */
    info.generation = 0;
    info.server_root = "/etc/apache2";
    info.argc = 3;
    info.argv = argv;
    info.default_config = "apache2.conf";
    info.apr_default_lock = "sysvsem";
    failed += check(sg_recorder_create(&info, NULL, ignore_line, NULL, &rec, err, sizeof(err)) ==
                        SG_EINVAL && rec == NULL,
                    "no retained memory is refused", report, len);
    failed += check(sg_recorder_create(&info, retained, ignore_line, NULL, &rec, err,
                                       sizeof(err)) == SG_OK && rec != NULL,
                    "a recorder is made", report, len);
    if (rec != NULL) {
        failed += with_a_recorder(rec, report, len);
    }
    sg_recorder_destroy(rec);
    free(retained);
    return failed;
}
