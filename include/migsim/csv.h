/* A CSV table (RFC 4180: header row, comma separated, double-quoted fields)
 * that remembers where every cell stands, so that a bad value is reported as
 * file:line:col. */
#ifndef MIGSIM_CSV_H
#define MIGSIM_CSV_H

#include <stddef.h>

struct csv_cell {
    char *text;
    int line, column;
};

struct csv {
    char *path;
    size_t rows, columns; /* rows excludes the header */
    struct csv_cell *header;
    struct csv_cell *cells; /* rows * columns, row-major */
};

/* Reads a whole table; a ragged row, an unclosed quote or an empty file is a
 * located MIG_EINPUT error. */
int mig_csv_read(struct csv *table, const char *path);
void mig_csv_free(struct csv *table);

/* The index of a named column, or a MIG_EINPUT error naming the file. */
int mig_csv_column(const struct csv *table, const char *name, size_t *index);

const struct csv_cell *mig_csv_cell(const struct csv *table, size_t row, size_t column);

/* A number in [lo, hi] from a cell, or a located MIG_EINPUT error. */
int mig_csv_number(const struct csv *table, size_t row, size_t column, double lo, double hi,
                   double *value);

/* Reads folder/file. */
int mig_csv_read_in(struct csv *table, const char *folder, const char *file);

/* The indices of several named columns; names end with NULL. */
int mig_csv_columns(const struct csv *table, const char *const *names, size_t *index);

/* A number in [lo, hi], or `fallback` for a blank cell. */
int mig_csv_optional_number(const struct csv *table, size_t row, size_t column, double lo,
                            double hi, double fallback, double *value);

/* A code of 1 to size-1 characters, copied to out. */
int mig_csv_code(const struct csv *table, size_t row, size_t column, char *out, size_t size);

/* An error naming the file when the table has more than `limit` rows. */
int mig_csv_at_most(const struct csv *table, size_t limit);

#endif
