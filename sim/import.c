/* `migsim targets import`: a table of survey figures (one row per figure,
 * as data/survey_targets.csv with columns naming the statistic, date and
 * uncertainty) into a targets file, so that a new survey round needs no
 * hand-written YAML. Every row is checked, with file:line:col messages,
 * before anything is written; the YAML is written under a temporary name,
 * loaded back as a targets file, and only then renamed. */
#include "migsim/import.h"
#include "migsim/csv.h"
#include "migsim/date.h"
#include "migsim/error.h"
#include "migsim/stats.h"
#include "migsim/target.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Columns the importer reads; any other (unit, description, period, ...)
 * is kept out of the YAML, except description as the label when there is
 * no label. */
enum column {
    C_ID,
    C_STATISTIC,
    C_KEY,
    C_DATE,
    C_FROM,
    C_TO,
    C_VALUE,
    C_SD,
    C_LOWER,
    C_UPPER,
    C_AT_LEAST,
    C_AT_MOST,
    C_SURVEY,
    C_SAMPLE,
    C_ROLE,
    C_WEIGHT,
    C_LABEL,
    C_DESCRIPTION,
    C_SOURCE,
    C_COUNT
};
static const char *const column_names[C_COUNT] = {
    "id",   "statistic", "key",   "date",        "from",    "to",     "value",
    "sd",   "lower",     "upper", "at_least",    "at_most", "survey", "sample",
    "role", "weight",    "label", "description", "source"};

struct table {
    struct csv csv;
    long at[C_COUNT]; /* column index, or -1 */
};

static const struct csv_cell *cell(const struct table *t, size_t row, enum column c)
{
    return t->at[c] < 0 ? NULL : mig_csv_cell(&t->csv, row, (size_t)t->at[c]);
}

static int given(const struct table *t, size_t row, enum column c)
{
    const struct csv_cell *x = cell(t, row, c);
    return x && x->text[0] != '\0';
}

static int located(const struct table *t, size_t row, enum column c, const char *format,
                   const char *detail)
{
    const struct csv_cell *x = cell(t, row, c);
    int line = x ? x->line : 0, column = x ? x->column : 1;
    if (!x) { /* the row itself: its first cell */
        const struct csv_cell *first = mig_csv_cell(&t->csv, row, 0);
        line = first->line;
    }
    char message[512];
    snprintf(message, sizeof message, format, detail);
    return mig_fail(MIG_EINPUT, "%s:%d:%d: error: %s", t->csv.path, line, column, message);
}

static int number(const struct table *t, size_t row, enum column c, double lo, double hi,
                  double *out)
{
    return mig_csv_number(&t->csv, row, (size_t)t->at[c], lo, hi, out);
}

static const struct mig_statistic *statistic_named(const char *name)
{
    size_t n;
    const struct mig_statistic *list = mig_stats_list(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

static void quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Checks one row and writes it as a figure. */
static int row_out(const struct table *t, size_t row, FILE *out)
{
    int status;
    if (!given(t, row, C_ID))
        return located(t, row, C_ID, "a figure needs an 'id'%s", "");
    const char *id = cell(t, row, C_ID)->text;
    for (size_t r = 0; r < row; r++)
        if (strcmp(cell(t, r, C_ID)->text, id) == 0)
            return located(t, row, C_ID, "duplicate figure id '%s'; expected unique ids", id);
    if (!given(t, row, C_STATISTIC))
        return located(t, row, C_STATISTIC, "figure needs a 'statistic' (see `migsim stats`)%s",
                       "");
    const char *name = cell(t, row, C_STATISTIC)->text;
    const struct mig_statistic *st = statistic_named(name);
    if (!st)
        return located(t, row, C_STATISTIC, "unknown statistic '%s' (see `migsim stats`)", name);
    if (st->key[0] && !given(t, row, C_KEY))
        return located(t, row, C_KEY, "this statistic expects a 'key' (an origin or sector code)%s",
                       "");
    if (!st->key[0] && given(t, row, C_KEY))
        return located(t, row, C_KEY, "statistic '%s' takes no 'key'; expected it empty", name);
    long day;
    int window = given(t, row, C_FROM) || given(t, row, C_TO);
    if (given(t, row, C_DATE) && window)
        return located(t, row, C_DATE, "give either 'date' or 'from' and 'to', not both%s", "");
    if (st->window && !window)
        return located(t, row, C_FROM,
                       "statistic '%s' is taken over a window; expected 'from' and 'to'", name);
    enum column dates[2] = {window ? C_FROM : C_DATE, window ? C_TO : C_DATE};
    long bounds[2];
    for (int k = 0; k < 2; k++) {
        if (!given(t, row, dates[k]))
            return located(t, row, dates[k], "expected a date YYYY-MM-DD in '%s'",
                           column_names[dates[k]]);
        if (!mig_date_parse(cell(t, row, dates[k])->text, &day))
            return located(t, row, dates[k], "expected a date YYYY-MM-DD, found '%s'",
                           cell(t, row, dates[k])->text);
        bounds[k] = day;
    }
    if (bounds[1] < bounds[0])
        return located(t, row, C_TO, "'to' is before 'from'%s", "");
    double value = NAN, lo = NAN, hi = NAN, x;
    int percent = strcmp(st->unit, "%") == 0;
    double top = percent ? 100 : 1e15;
    if (given(t, row, C_VALUE) && (status = number(t, row, C_VALUE, 0, top, &value)) < 0)
        return status;
    int forms = given(t, row, C_SD) + (given(t, row, C_LOWER) || given(t, row, C_UPPER)) +
                given(t, row, C_AT_LEAST) + given(t, row, C_AT_MOST) + given(t, row, C_SURVEY);
    if (forms == 0)
        return located(t, row, C_ID,
                       "figure '%s' has no uncertainty; expected one of sd, lower and upper, "
                       "at_least, at_most or survey",
                       id);
    if (forms > 1 && !(forms == 2 && given(t, row, C_SD) &&
                       (given(t, row, C_AT_LEAST) || given(t, row, C_AT_MOST))))
        return located(t, row, C_ID,
                       "figure '%s' has more than one uncertainty; expected one of sd, lower and "
                       "upper, at_least (with an optional sd), at_most (idem) or survey",
                       id);
    fprintf(out, "  - id: ");
    quoted(out, id);
    const char *label = given(t, row, C_LABEL)         ? cell(t, row, C_LABEL)->text
                        : given(t, row, C_DESCRIPTION) ? cell(t, row, C_DESCRIPTION)->text
                                                       : "";
    if (label[0]) {
        fprintf(out, "\n    label: ");
        quoted(out, label);
    }
    fprintf(out, "\n    statistic: %s\n", name);
    if (st->key[0])
        fprintf(out, "    key: %s\n", cell(t, row, C_KEY)->text);
    const char *role = given(t, row, C_ROLE) ? cell(t, row, C_ROLE)->text : "fit";
    if (strcmp(role, "fit") && strcmp(role, "validate") && strcmp(role, "input"))
        return located(t, row, C_ROLE, "'role' expects fit, validate or input, found '%s'", role);
    fprintf(out, "    role: %s\n", role);
    if (window)
        fprintf(out, "    from: %s\n    to: %s\n", cell(t, row, C_FROM)->text,
                cell(t, row, C_TO)->text);
    else
        fprintf(out, "    date: %s\n", cell(t, row, C_DATE)->text);
    if (!isnan(value))
        fprintf(out, "    value: %.10g\n", value);
    if (given(t, row, C_LOWER) || given(t, row, C_UPPER)) {
        if ((status = number(t, row, C_LOWER, 0, top, &lo)) < 0 ||
            (status = number(t, row, C_UPPER, 0, top, &hi)) < 0)
            return status;
        if (!(lo < hi))
            return located(t, row, C_UPPER, "the interval is inverted; expected lower < upper%s",
                           "");
        if (!isnan(value) && !(value > lo && value < hi))
            return located(t, row, C_VALUE, "the value lies outside its interval%s", "");
        fprintf(out, "    uncertainty: {interval: [%.10g, %.10g]}\n", lo, hi);
    } else if (given(t, row, C_AT_LEAST) || given(t, row, C_AT_MOST)) {
        enum column c = given(t, row, C_AT_LEAST) ? C_AT_LEAST : C_AT_MOST;
        double sd = NAN;
        if ((status = number(t, row, c, 0, top, &x)) < 0 ||
            (given(t, row, C_SD) && (status = number(t, row, C_SD, 1e-12, 1e15, &sd)) < 0))
            return status;
        fprintf(out, "    uncertainty: {%s: %.10g", column_names[c], x);
        if (!isnan(sd))
            fprintf(out, ", sd: %.10g", sd);
        fprintf(out, "}\n");
    } else {
        if (isnan(value))
            return located(t, row, C_VALUE, "this uncertainty needs a 'value'%s", "");
        if (given(t, row, C_SD)) {
            if ((status = number(t, row, C_SD, 1e-12, 1e15, &x)) < 0)
                return status;
            fprintf(out, "    uncertainty: {sd: %.10g}\n", x);
        } else {
            if (!percent)
                return located(t, row, C_SURVEY,
                               "'survey' gives the binomial error of a share in percent; "
                               "statistic '%s' is not one",
                               name);
            if ((status = number(t, row, C_SURVEY, 1, 1e9, &x)) < 0)
                return status;
            fprintf(out, "    uncertainty: {survey: %.0f}\n", x);
        }
    }
    if (given(t, row, C_SAMPLE)) {
        if ((status = number(t, row, C_SAMPLE, 10, 1e6, &x)) < 0)
            return status;
        if (x != floor(x))
            return located(t, row, C_SAMPLE, "'sample' expects a whole number of respondents%s",
                           "");
        if (!st->surveyed)
            return located(t, row, C_SAMPLE,
                           "statistic '%s' is not a survey statistic; expected no 'sample'", name);
        fprintf(out, "    sample: %.0f\n", x);
    }
    if (given(t, row, C_WEIGHT)) {
        if ((status = number(t, row, C_WEIGHT, 0, 1e6, &x)) < 0)
            return status;
        fprintf(out, "    weight: %.10g\n", x);
    }
    if (given(t, row, C_SOURCE)) {
        fprintf(out, "    source: ");
        quoted(out, cell(t, row, C_SOURCE)->text);
        fputc('\n', out);
    }
    return 0;
}

int mig_targets_import(const char *csv_path, const char *yaml_path, const char *command_line)
{
    struct table t;
    memset(&t, 0, sizeof t);
    int status = mig_csv_read(&t.csv, csv_path);
    if (status < 0)
        return status;
    for (int c = 0; c < C_COUNT; c++) {
        size_t index;
        t.at[c] = -1;
        for (index = 0; index < t.csv.columns; index++)
            if (strcmp(t.csv.header[index].text, column_names[c]) == 0)
                t.at[c] = (long)index;
    }
    static const enum column required[] = {C_ID, C_STATISTIC, C_VALUE};
    for (size_t i = 0; i < sizeof required / sizeof required[0] && status == 0; i++)
        if (t.at[required[i]] < 0)
            status =
                mig_fail(MIG_EINPUT, "%s:1:1: error: expected a column named '%s' in the header",
                         csv_path, column_names[required[i]]);
    if (status == 0 && t.at[C_DATE] < 0 && (t.at[C_FROM] < 0 || t.at[C_TO] < 0))
        status = mig_fail(MIG_EINPUT,
                          "%s:1:1: error: expected a column 'date', or 'from' and 'to', in the "
                          "header",
                          csv_path);
    if (status == 0 && t.csv.rows == 0)
        status = mig_fail(MIG_EINPUT, "%s:2:1: error: no figures; expected one row per figure",
                          csv_path);
    char temp[4200];
    snprintf(temp, sizeof temp, "%s.tmp-%ld", yaml_path, (long)getpid());
    FILE *out = status == 0 ? fopen(temp, "w") : NULL;
    if (status == 0 && !out)
        status = mig_fail(MIG_EIO, "%s: error: cannot write the targets file", yaml_path);
    if (status == 0)
        fprintf(out,
                "# Imported by migsim targets import from %s.\n# Command: %s\n# Roles: fit (a "
                "calibration target), validate (held out), input (a parameter read back).\n"
                "figures:\n",
                csv_path, command_line ? command_line : "");
    for (size_t row = 0; status == 0 && row < t.csv.rows; row++)
        status = row_out(&t, row, out);
    if (out) {
        int failed = ferror(out);
        if (fclose(out) != 0 || failed)
            status = status < 0
                         ? status
                         : mig_fail(MIG_EIO, "%s: error: cannot write the targets file", yaml_path);
    }
    /* The result must load as a targets file before it takes its name. */
    if (status == 0) {
        struct targets check;
        if ((status = mig_targets_load(&check, temp)) == 0)
            mig_targets_free(&check);
    }
    if (status == 0 && rename(temp, yaml_path) < 0)
        status = mig_fail(MIG_EIO, "%s: error: cannot write the targets file", yaml_path);
    if (status < 0 && out)
        remove(temp);
    mig_csv_free(&t.csv);
    return status;
}
