/* A small RFC 4180 reader that keeps each cell's line and column. The data
 * files are small (tens of rows), so the whole file is read at once. Lines
 * end in LF, CRLF or a lone CR (and runs of CR before an LF, left by double
 * conversions, count as one line end); the text must be UTF-8. */
#include "migsim/csv.h"
#include "migsim/error.h"
#include "migsim/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (64u << 20)

/* The length of the line end at text[i] (LF, CR+ LF, or CR+), or 0. */
static size_t line_end(const char *text, size_t i, size_t size)
{
    size_t k = i;
    while (k < size && text[k] == '\r')
        k++;
    if (k < size && text[k] == '\n')
        k++;
    return k - i;
}

struct cell_list {
    struct csv_cell *items;
    size_t count, capacity;
};

static int cell_push(struct cell_list *list, char *text, int line, int column)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 256;
        struct csv_cell *items = realloc(list->items, capacity * sizeof *items);
        if (!items)
            return mig_fail(MIG_ENOMEM, "out of memory reading a CSV file");
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (struct csv_cell){text, line, column};
    return 0;
}

/* Splits the text into cells; row_ends receives the cell count at each row
 * end. `scratch` holds size + 1 bytes. */
static int split(const char *path, const char *text, size_t size, struct cell_list *cells,
                 size_t **row_ends, size_t *n_rows, char *scratch)
{
    size_t rows_capacity = 64;
    *row_ends = malloc(rows_capacity * sizeof **row_ends);
    if (!*row_ends)
        return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
    *n_rows = 0;
    size_t i = 0;
    int line = 1, column = 1;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* byte order mark */
    while (i < size) {
        size_t end = line_end(text, i, size);
        if (end > 0) { /* the end of a row, or a blank line, which is skipped */
            i += end;
            line++;
            column = 1;
            continue;
        }
        for (;;) { /* one row */
            int cell_line = line, cell_column = column;
            char *value = scratch; /* copied to its own allocation below */
            size_t n = 0;
            if (i < size && text[i] == '"') {
                i++, column++;
                for (;;) {
                    if (i >= size) {
                        return mig_fail(MIG_EINPUT,
                                        "%s:%d:%d: error: quoted field is not closed "
                                        "(expected '\"' before the end of the file)",
                                        path, cell_line, cell_column);
                    }
                    if (text[i] == '"' && i + 1 < size && text[i + 1] == '"') {
                        value[n++] = '"';
                        i += 2, column += 2;
                    } else if (text[i] == '"') {
                        i++, column++;
                        break;
                    } else {
                        if (text[i] == '\n')
                            line++, column = 0;
                        value[n++] = text[i++];
                        column++;
                    }
                }
                if (i < size && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                    return mig_fail(MIG_EINPUT,
                                    "%s:%d:%d: error: expected ',' or end of line after a "
                                    "quoted field",
                                    path, line, column);
                }
            } else {
                while (i < size && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                    value[n++] = text[i++];
                    column++;
                }
            }
            value[n] = '\0';
            char *copy = strdup(value);
            if (!copy)
                return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
            int status = cell_push(cells, copy, cell_line, cell_column);
            if (status < 0) {
                free(copy);
                return status;
            }
            if (i < size && text[i] == ',') {
                i++, column++;
                continue;
            }
            break;
        }
        if (*n_rows == rows_capacity) {
            rows_capacity *= 2;
            size_t *grown = realloc(*row_ends, rows_capacity * sizeof *grown);
            if (!grown)
                return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
            *row_ends = grown;
        }
        (*row_ends)[(*n_rows)++] = cells->count;
    }
    return 0;
}

int mig_csv_read(struct csv *table, const char *path)
{
    memset(table, 0, sizeof *table);
    size_t size = 0, *row_ends = NULL, n_rows = 0;
    struct cell_list cells = {0};
    int status;
    char *text = NULL;
    if ((status = mig_text_read(path, MAX_FILE_BYTES, "CSV file", &text, &size)) < 0)
        return status;
    if ((status = mig_text_check(path, text, size)) < 0) {
        free(text);
        return status;
    }
    table->path = strdup(path);
    if (!table->path) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto fail;
    }
    char *scratch = malloc(size + 1);
    if (!scratch) {
        status = mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
        goto fail;
    }
    status = split(path, text, size, &cells, &row_ends, &n_rows, scratch);
    free(scratch);
    if (status < 0)
        goto fail;
    if (n_rows < 2) {
        status = mig_fail(MIG_EINPUT,
                          "%s:1:1: error: expected a header row and at least one "
                          "data row",
                          path);
        goto fail;
    }
    table->columns = row_ends[0];
    for (size_t r = 1; r < n_rows; r++) {
        size_t width = row_ends[r] - row_ends[r - 1];
        if (width != table->columns) {
            const struct csv_cell *first = &cells.items[row_ends[r - 1]];
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:1: error: expected %zu fields as in the "
                              "header, found %zu",
                              path, first->line, table->columns, width);
            goto fail;
        }
    }
    table->rows = n_rows - 1;
    table->header = cells.items;
    table->cells = cells.items + table->columns;
    free(row_ends);
    free(text);
    return 0;
fail:
    for (size_t c = 0; c < cells.count; c++)
        free(cells.items[c].text);
    free(cells.items);
    free(row_ends);
    free(text);
    free(table->path);
    memset(table, 0, sizeof *table);
    return status;
}

void mig_csv_free(struct csv *table)
{
    if (!table->header)
        return;
    size_t n = (table->rows + 1) * table->columns;
    for (size_t c = 0; c < n; c++)
        free(table->header[c].text);
    free(table->header);
    free(table->path);
    memset(table, 0, sizeof *table);
}

int mig_csv_column(const struct csv *table, const char *name, size_t *index)
{
    for (size_t c = 0; c < table->columns; c++) {
        if (strcmp(table->header[c].text, name) == 0) {
            *index = c;
            return 0;
        }
    }
    return mig_fail(MIG_EINPUT, "%s:1:1: error: expected a column named '%s' in the header",
                    table->path, name);
}

const struct csv_cell *mig_csv_cell(const struct csv *table, size_t row, size_t column)
{
    return &table->cells[row * table->columns + column];
}

int mig_csv_number(const struct csv *table, size_t row, size_t column, double lo, double hi,
                   double *value)
{
    const struct csv_cell *cell = mig_csv_cell(table, row, column);
    char *end = NULL;
    errno = 0;
    double x = strtod(cell->text, &end);
    if (cell->text[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(x))
        return mig_fail(MIG_EINPUT, "%s:%d:%d: error: expected a number for '%s', found '%s'",
                        table->path, cell->line, cell->column, table->header[column].text,
                        cell->text);
    if (x < lo || x > hi)
        return mig_fail(MIG_EINPUT, "%s:%d:%d: error: '%s' is %g, expected a value in [%g, %g]",
                        table->path, cell->line, cell->column, table->header[column].text, x, lo,
                        hi);
    *value = x;
    return 0;
}

int mig_csv_read_in(struct csv *table, const char *folder, const char *file)
{
    char path[1536];
    int n = snprintf(path, sizeof path, "%s/%s", folder, file);
    if (n < 0 || (size_t)n >= sizeof path)
        return mig_fail(MIG_EINPUT, "%s: error: path too long", folder);
    return mig_csv_read(table, path);
}

int mig_csv_columns(const struct csv *table, const char *const *names, size_t *index)
{
    for (size_t i = 0; names[i]; i++) {
        int status = mig_csv_column(table, names[i], &index[i]);
        if (status < 0)
            return status;
    }
    return 0;
}

int mig_csv_optional_number(const struct csv *table, size_t row, size_t column, double lo,
                            double hi, double fallback, double *value)
{
    if (mig_csv_cell(table, row, column)->text[0] == '\0') {
        *value = fallback;
        return 0;
    }
    return mig_csv_number(table, row, column, lo, hi, value);
}

int mig_csv_code(const struct csv *table, size_t row, size_t column, char *out, size_t size)
{
    const struct csv_cell *c = mig_csv_cell(table, row, column);
    size_t n = strlen(c->text);
    if (n == 0 || n >= size)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: expected a code of 1 to %zu characters in "
                        "'%s', found '%s'",
                        table->path, c->line, c->column, size - 1, table->header[column].text,
                        c->text);
    memcpy(out, c->text, n + 1);
    return 0;
}

int mig_csv_at_most(const struct csv *table, size_t limit)
{
    if (table->rows <= limit)
        return 0;
    return mig_fail(MIG_EINPUT, "%s: error: %zu rows; expected at most %zu", table->path,
                    table->rows, limit);
}
