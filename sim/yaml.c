/* libfyaml helpers shared by the scenario and figures loaders. */
#include "migsim/yaml.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/text.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (4u << 20)

/* What YAML would accept but no input of ours can be, NUL bytes and
 * invalid UTF-8 (binary files, Latin-1), is refused before parsing. */
int mig_yaml_read(const char *path, char **text, size_t *size)
{
    int status = mig_text_read(path, MAX_FILE_BYTES, "scenario or figures file", text, size);
    if (status == 0 && (status = mig_text_check(path, *text, *size)) < 0) {
        free(*text);
        *text = NULL;
        *size = 0;
    }
    return status;
}

int mig_yaml_parse(const char *path, const char *text, size_t size, struct fy_document **doc)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag)
        return mig_fail(MIG_ENOMEM, "out of memory parsing %s", path);
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG, .diag = diag};
    *doc = fy_document_build_from_string(&cfg, text, size);
    int status = 0;
    if (!*doc) {
        void *iter = NULL;
        struct fy_diag_error *e = fy_diag_errors_iterate(diag, &iter);
        if (e)
            status = mig_fail(MIG_EINPUT, "%s:%d:%d: error: %s", path, e->line, e->column, e->msg);
        else
            status = mig_fail(MIG_EINPUT,
                              "%s:1:1: error: the file has no YAML content; expected "
                              "a mapping of keys",
                              path);
    }
    fy_diag_destroy(diag);
    return status;
}

struct mig_mark mig_yaml_mark(struct fy_node *node)
{
    while (node) {
        switch (fy_node_get_type(node)) {
        case FYNT_SCALAR: {
            struct fy_token *token = fy_node_get_scalar_token(node);
            const struct fy_mark *m = token ? fy_token_start_mark(token) : NULL;
            if (m)
                return (struct mig_mark){m->line + 1, m->column + 1};
            return (struct mig_mark){0, 0};
        }
        case FYNT_MAPPING: {
            void *iter = NULL;
            struct fy_node_pair *pair = fy_node_mapping_iterate(node, &iter);
            node = pair ? fy_node_pair_key(pair) : NULL;
            break;
        }
        case FYNT_SEQUENCE: {
            void *iter = NULL;
            node = fy_node_sequence_iterate(node, &iter);
            break;
        }
        }
    }
    return (struct mig_mark){0, 0};
}

int mig_yaml_error(const char *path, struct fy_node *node, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    struct mig_mark m = mig_yaml_mark(node);
    if (m.line == 0)
        m = (struct mig_mark){1, 1};
    return mig_fail(MIG_EINPUT, "%s:%d:%d: error: %s", path, m.line, m.column, what);
}

int mig_yaml_text(const char *path, struct fy_node *node, const char *key, const char *expected,
                  char *out, size_t size)
{
    if (!node || fy_node_get_type(node) != FYNT_SCALAR)
        return mig_yaml_error(path, node, "'%s' expects %s, found %s", key, expected,
                              !node                                    ? "nothing"
                              : fy_node_get_type(node) == FYNT_MAPPING ? "a mapping"
                                                                       : "a list");
    size_t len = 0;
    const char *text = fy_node_get_scalar(node, &len);
    if (!text || len >= size)
        return mig_yaml_error(path, node, "'%s' expects %s of at most %zu characters", key,
                              expected, size - 1);
    memcpy(out, text, len);
    out[len] = '\0';
    return 0;
}

int mig_yaml_number(const char *path, struct fy_node *node, const char *key, const char *expected,
                    double *out)
{
    char text[128];
    int status = mig_yaml_text(path, node, key, expected, text, sizeof text);
    if (status < 0)
        return status;
    char *end = NULL;
    errno = 0;
    double x = strtod(text, &end);
    if (text[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(x))
        return mig_yaml_error(path, node, "'%s' expects %s, found '%s'", key, expected, text);
    *out = x;
    return 0;
}

int mig_yaml_date(const char *path, struct fy_node *node, const char *key, long *day)
{
    char text[64];
    int status = mig_yaml_text(path, node, key, "a date YYYY-MM-DD", text, sizeof text);
    if (status < 0)
        return status;
    if (!mig_date_parse(text, day))
        return mig_yaml_error(path, node, "'%s' expects a date YYYY-MM-DD, found '%s'", key, text);
    return 0;
}
