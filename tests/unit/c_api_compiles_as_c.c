/* Proves that semguard.h is valid C99: the Makefile compiles this file with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic. It names every type, constant and function of
 * the header; nothing calls it. */
#include "semguard.h"

int sg_c_api_compiles_as_c(void);

static void ignore_line(void *baton, int level, const char *line)
{
    (void)baton;
    (void)level;
    (void)line;
}

int sg_c_api_compiles_as_c(void)
{
    sg_rc (*parse_semguard)(const char *, int *, char *, size_t) = sg_parse_semguard;
    sg_rc (*parse_ledger_path)(const char *, char *, size_t) = sg_parse_ledger_path;
    sg_rc (*parse_cleanup)(const char *, int *, char *, size_t) = sg_parse_cleanup;
    sg_rc (*parse_adopt)(const char *, int *, char *, size_t) = sg_parse_adopt;
    const char *(*config_file_from_argv)(int, const char *const *) = sg_config_file_from_argv;
    sg_rc (*default_ledger_name)(const char *, const char *, char *, size_t) = sg_default_ledger_name;
    size_t (*retained_size)(void) = sg_retained_size;
    sg_rc (*recorder_create)(const sg_process_info *, void *, sg_log_fn, void *, sg_recorder **,
                             char *, size_t) = sg_recorder_create;
    void (*recorder_destroy)(sg_recorder *) = sg_recorder_destroy;
    void (*first_snapshot)(sg_recorder *) = sg_recorder_first_snapshot;
    void (*configure)(sg_recorder *, const sg_policy *) = sg_recorder_configure;
    void (*checkpoint)(sg_recorder *, sg_checkpoint, const char *const *, size_t) =
        sg_recorder_checkpoint;
    void (*child_started)(sg_recorder *, long) = sg_recorder_child_started;
    void (*child_exiting_cleanly)(sg_recorder *, long) = sg_recorder_child_exiting_cleanly;
    void (*child_exited)(sg_recorder *, long) = sg_recorder_child_exited;

    sg_log_fn log = ignore_line;
    sg_recorder *recorder = NULL;
    sg_process_info info = {0, 0, 0L, "/etc/apache2", "apache2.conf", "sysvsem"};
    sg_policy policy = {1, "/var/lib/apache2/semguard.ledger", SG_CLEANUP_ON, SG_ADOPT_REPORT,
                        33L, 33L};
    int cleanup_modes[] = {SG_CLEANUP_ON, SG_CLEANUP_REPORT, SG_CLEANUP_OFF};
    int adopt_modes[] = {SG_ADOPT_OFF, SG_ADOPT_REPORT, SG_ADOPT_REMOVE};
    sg_checkpoint checkpoints[] = {
        SG_CP_OPEN_LOGS_FIRST,        SG_CP_OPEN_LOGS_AFTER_MPM,   SG_CP_OPEN_LOGS_LAST,
        SG_CP_POST_CONFIG_FIRST,      SG_CP_POST_CONFIG_BEFORE_SSL, SG_CP_POST_CONFIG_AFTER_SSL,
        SG_CP_POST_CONFIG_LAST};
    sg_rc codes[] = {SG_OK, SG_EINVAL, SG_EIO, SG_ECORRUPT, SG_EBUSY, SG_ENOTFOUND, SG_EINTERNAL};
    char err[SG_ERRLEN];

    err[0] = '\0';
    return parse_semguard != NULL && parse_ledger_path != NULL && parse_cleanup != NULL &&
           parse_adopt != NULL && config_file_from_argv != NULL &&
           default_ledger_name != NULL && retained_size != NULL && recorder_create != NULL &&
           recorder_destroy != NULL && first_snapshot != NULL && configure != NULL &&
           checkpoint != NULL && child_started != NULL && child_exiting_cleanly != NULL &&
           child_exited != NULL && log != NULL && recorder == NULL && info.server_root != NULL &&
           sizeof(checkpoints) / sizeof(checkpoints[0]) == 7 &&
           sizeof(codes) / sizeof(codes[0]) == 7 && policy.ledger_path != NULL &&
           cleanup_modes[2] != adopt_modes[2] && err[0] == '\0';
}
