/* libfyaml helpers shared by the scenario and figures loaders. */
#include "migsim/yaml.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (4u << 20)

/* Rejects what YAML would accept but no input of ours can be: NUL bytes and
 * invalid UTF-8 (binary files). */
static int check_text(const char *path, const char *text, size_t size)
{
    int line = 1, column = 1;
    for (size_t i = 0; i < size;) {
        unsigned char c = (unsigned char)text[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= size && c != 0;
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)text[i + k] >> 6) == 2;
        if (!ok)
            return mig_fail(MIG_EINPUT,
                            "%s:%d:%d: error: expected UTF-8 text, found byte 0x%02x "
                            "(is this a binary file?)",
                            path, line, column, c);
        if (c == '\n')
            line++, column = 1;
        else
            column++;
        i += len;
    }
    return 0;
}

int mig_yaml_read(const char *path, char **text, size_t *size)
{
    *text = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mig_fail(MIG_EINPUT, "%s: error: cannot read the file: %s", path, strerror(errno));
    char *buffer = malloc(MAX_FILE_BYTES + 2);
    if (!buffer) {
        fclose(f);
        return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
    }
    size_t n = fread(buffer, 1, MAX_FILE_BYTES + 1, f);
    int failed = ferror(f);
    fclose(f);
    int status = 0;
    if (failed)
        status = mig_fail(MIG_EINPUT, "%s: error: cannot read the file (is it a folder?)", path);
    else if (n > MAX_FILE_BYTES)
        status = mig_fail(MIG_EINPUT,
                          "%s:1:1: error: the file is larger than 4 MiB; expected a "
                          "scenario or figures file",
                          path);
    else
        status = check_text(path, buffer, n);
    if (status < 0) {
        free(buffer);
        return status;
    }
    buffer[n] = '\0';
    *text = buffer;
    *size = n;
    return 0;
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
