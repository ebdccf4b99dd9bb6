/* mod_semguard_scribble: a child that writes where it can, for the integration tests only.
 *
 *   SetHandler semguard-test-scribble   finds mod_semguard's child-exit area among this child's
 *                                       shared writable mappings (/proc/self/maps, "rw-s"), by
 *                                       its magic number "SGCX" at offset 0, then corrupts it the
 *                                       way any code in a child could (mod_php, a memory bug):
 *                                       the slot count at offset 4 becomes 2^31 and this child's
 *                                       own slot 0, so a parent that trusts the count, looking
 *                                       for this child at its exit, walks off the end.
 *                                       Answers "scribbled <pid>" or "not found <pid>".
 *
 * The area's layout (magic, slot count, ...) is src/os/child_exits.{h,cc}'s Header;
 * only the magic and the count are touched, and only in the child that answered.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

module AP_MODULE_DECLARE_DATA semguard_scribble_module;

#define SG_CHILD_EXITS_MAGIC 0x53474358u /* "SGCX" */

static int scribble(void)
{
    char line[512];
    int found = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        return 0;
    }
    while (fgets(line, sizeof(line), maps) != NULL) {
        unsigned long start = 0, end = 0;
        char perms[8] = "";
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 || strcmp(perms, "rw-s") != 0 ||
            end - start < 8) {
            continue;
        }
        volatile uint32_t *area = (volatile uint32_t *)start;
        if (area[0] != SG_CHILD_EXITS_MAGIC) {
            continue;
        }
        area[1] = 1u << 31; /* the slot count */
        /* Clear this child's slot: its pid is then found nowhere the parent looks. */
        size_t header_words = 2;
        for (volatile uint32_t *w = area + header_words; (unsigned long)(w + 1) <= end; ++w) {
            if ((int32_t)*w == (int32_t)getpid()) {
                *w = 0;
            }
        }
        found = 1;
    }
    fclose(maps);
    return found;
}

static int scribble_handler(request_rec *r)
{
    if (r->handler == NULL || strcmp(r->handler, "semguard-test-scribble") != 0) {
        return DECLINED;
    }
    ap_set_content_type(r, "text/plain");
    ap_rprintf(r, "%s %d\n", scribble() ? "scribbled" : "not found", (int)getpid());
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_handler(scribble_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(semguard_scribble) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, register_hooks, AP_MODULE_FLAG_NONE
};
