/* Reading YAML files with libfyaml: the checks every input file gets (size,
 * UTF-8 text), parsing with located syntax errors, and the line and column of
 * any node, so that every message can say file:line:col. */
#ifndef MIGSIM_YAML_H
#define MIGSIM_YAML_H

#include <stddef.h>

struct fy_document;
struct fy_node;

/* Where a value stands in its file. */
struct mig_mark {
    int line, column; /* 1-based; 0 for a default */
};

/* Reads a whole file of at most 4 MiB of UTF-8 text. */
int mig_yaml_read(const char *path, char **text, size_t *size);

/* Parses text into a document; a syntax error is a located MIG_EINPUT. */
int mig_yaml_parse(const char *path, const char *text, size_t size, struct fy_document **doc);

/* The start of a node (its first scalar); {0, 0} when unknown. */
struct mig_mark mig_yaml_mark(struct fy_node *node);

/* Fails with "path:line:col: error: <message>" at the node. */
int mig_yaml_error(const char *path, struct fy_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies a scalar's text or fails saying what `key` expected. */
int mig_yaml_text(const char *path, struct fy_node *node, const char *key, const char *expected,
                  char *out, size_t size);

/* Parses a scalar as a finite number or fails saying what `key` expected. */
int mig_yaml_number(const char *path, struct fy_node *node, const char *key, const char *expected,
                    double *out);

/* Parses a scalar as a date YYYY-MM-DD (a day number) or fails saying what
 * `key` expected. */
int mig_yaml_date(const char *path, struct fy_node *node, const char *key, long *day);

#endif
