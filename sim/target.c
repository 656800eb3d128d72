/* The figures file. Tolerances are given as `absolute: x` (value ± x),
 * `relative: x` (value × (1 ± x)) or `range: [lo, hi]`. */
#include "migsim/target.h"
#include "migsim/digest.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int text_of(const char *path, struct fy_node *node, const char *key, char *out, size_t size)
{
    return mig_yaml_text(path, node, key, "text", out, size);
}

static int number_of(const char *path, struct fy_node *node, const char *key, double *out)
{
    return mig_yaml_number(path, node, key, "a number", out);
}

static int tolerance(const char *path, struct fy_node *node, struct target *t)
{
    if (!node || fy_node_get_type(node) != FYNT_MAPPING)
        return mig_yaml_error(path, node,
                              "'tolerance' expects a mapping: {absolute: x}, {relative: x} or "
                              "{range: [lo, hi]}");
    struct fy_node *abs_node = fy_node_mapping_lookup_by_string(node, "absolute", -1);
    struct fy_node *rel_node = fy_node_mapping_lookup_by_string(node, "relative", -1);
    struct fy_node *range = fy_node_mapping_lookup_by_string(node, "range", -1);
    int given = (abs_node != NULL) + (rel_node != NULL) + (range != NULL);
    if (given != 1 || fy_node_mapping_item_count(node) != 1)
        return mig_yaml_error(path, node,
                              "'tolerance' expects exactly one of absolute, relative, range");
    double x;
    int status;
    if (range) {
        if (fy_node_get_type(range) != FYNT_SEQUENCE || fy_node_sequence_item_count(range) != 2)
            return mig_yaml_error(path, range, "'range' expects two numbers [lo, hi]");
        if ((status = number_of(path, fy_node_sequence_get_by_index(range, 0), "range", &t->lo)) <
                0 ||
            (status = number_of(path, fy_node_sequence_get_by_index(range, 1), "range", &t->hi)) <
                0)
            return status;
        if (t->lo > t->hi)
            return mig_yaml_error(path, range, "'range' is inverted; expected lo <= hi");
        t->kind = isnan(t->value) ? MIG_RANGE : MIG_TWO_SIDED;
        t->sd = fmax((t->hi - t->lo) / 4, 1e-9); /* the tolerance as about two sd */
        return 0;
    }
    if (isnan(t->value))
        return mig_yaml_error(path, node, "an absolute or relative tolerance needs a 'value'");
    struct fy_node *n = abs_node ? abs_node : rel_node;
    if ((status = number_of(path, n, abs_node ? "absolute" : "relative", &x)) < 0)
        return status;
    if (x < 0)
        return mig_yaml_error(path, n, "a tolerance must not be negative");
    double half = abs_node ? x : fabs(t->value) * x;
    t->lo = t->value - half;
    t->hi = t->value + half;
    t->kind = MIG_TWO_SIDED;
    t->sd = fmax(half / 2, 1e-6 * fmax(fabs(t->value), 1.0));
    return 0;
}

static const char *const known_keys[] = {
    "id",        "label",       "statistic", "key",    "date",   "from", "to", "value",
    "tolerance", "uncertainty", "sample",    "weight", "source", "role", NULL};

const char *mig_role_name(enum mig_role role)
{
    return role == MIG_ROLE_VALIDATE ? "validate" : role == MIG_ROLE_INPUT ? "input" : "fit";
}

#define Z90 1.6448536269514722 /* the 95% quantile of the standard normal */

/* uncertainty: {sd: s} | {interval: [lo, hi]} | {at_least: x} | {at_most: x}
 * | {survey: n} (binomial sampling error of a share in % from n people);
 * one-sided bounds take an optional sd for how soft they are. */
static int uncertainty(const char *path, struct fy_node *node, struct target *t)
{
    if (!node || fy_node_get_type(node) != FYNT_MAPPING)
        return mig_yaml_error(path, node,
                              "'uncertainty' expects a mapping: {sd: x}, {interval: [lo, hi]}, "
                              "{at_least: x}, {at_most: x} or {survey: n}");
    struct fy_node *sd = fy_node_mapping_lookup_by_string(node, "sd", -1);
    struct fy_node *interval = fy_node_mapping_lookup_by_string(node, "interval", -1);
    struct fy_node *least = fy_node_mapping_lookup_by_string(node, "at_least", -1);
    struct fy_node *most = fy_node_mapping_lookup_by_string(node, "at_most", -1);
    struct fy_node *survey = fy_node_mapping_lookup_by_string(node, "survey", -1);
    int forms = (interval != NULL) + (least != NULL) + (most != NULL) + (survey != NULL);
    int items = fy_node_mapping_item_count(node);
    if (forms > 1 || items != forms + (sd != NULL) || (forms == 0 && !sd) ||
        ((interval || survey) && sd))
        return mig_yaml_error(path, node,
                              "'uncertainty' expects one of sd, interval, at_least (with an "
                              "optional sd), at_most (with an optional sd) or survey");
    int status;
    double x = 0;
    t->kind = MIG_TWO_SIDED;
    if (sd && (status = number_of(path, sd, "sd", &t->sd)) < 0)
        return status;
    if (sd && t->sd <= 0)
        return mig_yaml_error(path, sd, "'sd' must be positive");
    if (interval) {
        if (fy_node_get_type(interval) != FYNT_SEQUENCE ||
            fy_node_sequence_item_count(interval) != 2)
            return mig_yaml_error(path, interval, "'interval' expects two numbers [lo, hi]");
        if ((status = number_of(path, fy_node_sequence_get_by_index(interval, 0), "interval",
                                &t->lo)) < 0 ||
            (status = number_of(path, fy_node_sequence_get_by_index(interval, 1), "interval",
                                &t->hi)) < 0)
            return status;
        if (t->lo >= t->hi)
            return mig_yaml_error(path, interval, "'interval' is inverted; expected lo < hi");
        t->sd = (t->hi - t->lo) / (2 * Z90);
        t->sd_below = t->sd_above = t->sd;
        if (isnan(t->value)) {
            t->kind = MIG_RANGE;
            return 0;
        }
        /* A value with its 90% interval: each side keeps its own spread, so
         * that the interval is exactly where |error| <= 1.645. */
        if (!(t->value > t->lo && t->value < t->hi))
            return mig_yaml_error(path, interval,
                                  "the value %g lies outside its interval [%g, %g]; expected "
                                  "lo < value < hi",
                                  t->value, t->lo, t->hi);
        t->sd_below = (t->value - t->lo) / Z90;
        t->sd_above = (t->hi - t->value) / Z90;
        return 0;
    }
    if (least || most) {
        if ((status = number_of(path, least ? least : most, least ? "at_least" : "at_most", &x)) <
            0)
            return status;
        t->kind = least ? MIG_AT_LEAST : MIG_AT_MOST;
        t->lo = least ? x : -INFINITY;
        t->hi = least ? INFINITY : x;
        if (!sd)
            t->sd = fmax(fabs(x) * 0.05, 1e-9);
        t->sd_below = t->sd_above = t->sd;
        return 0;
    }
    if (isnan(t->value))
        return mig_yaml_error(path, node, "this uncertainty needs a 'value'");
    if (survey) {
        if ((status = number_of(path, survey, "survey", &x)) < 0)
            return status;
        if (x < 1 || t->value < 0 || t->value > 100)
            return mig_yaml_error(path, survey,
                                  "'survey' expects the number of respondents, for "
                                  "a share in percent");
        double p = t->value / 100;
        t->sd = 100 * sqrt(fmax(p * (1 - p), 1e-4) / x);
    }
    t->lo = t->value - Z90 * t->sd;
    t->hi = t->value + Z90 * t->sd;
    t->sd_below = t->sd_above = t->sd;
    return 0;
}

double mig_target_error(const struct target *t, double sim, double sim_sd)
{
    double s = sqrt(t->sd * t->sd + sim_sd * sim_sd);
    if (isnan(sim))
        return NAN;
    switch (t->kind) {
    case MIG_TWO_SIDED: {
        double side = sim < t->value ? t->sd_below : t->sd_above;
        side = side > 0 ? side : t->sd; /* targets built by hand */
        return (sim - t->value) / sqrt(side * side + sim_sd * sim_sd);
    }
    case MIG_RANGE:
        return sim < t->lo ? (sim - t->lo) / s : sim > t->hi ? (sim - t->hi) / s : 0.0;
    case MIG_AT_LEAST:
        return sim < t->lo ? (sim - t->lo) / s : 0.0;
    case MIG_AT_MOST:
        return sim > t->hi ? (sim - t->hi) / s : 0.0;
    }
    return NAN;
}

int mig_target_inside(const struct target *t, double sim, double sim_sd)
{
    if (isnan(sim))
        return 0;
    if (t->tolerance)
        return sim >= t->lo - 1e-9 && sim <= t->hi + 1e-9;
    if (t->kind == MIG_TWO_SIDED)
        return fabs(mig_target_error(t, sim, sim_sd)) <= Z90;
    /* A range or bound is the interval itself: no observed spread is added
     * beyond its edges, only the simulated estimate's own sampling error. */
    double slack = Z90 * sim_sd + 1e-9 * fmax(1.0, fabs(sim));
    return sim >= t->lo - slack && sim <= t->hi + slack;
}

static int one(const char *path, struct fy_node *node, struct target *t)
{
    if (fy_node_get_type(node) != FYNT_MAPPING)
        return mig_yaml_error(path, node,
                              "each figure expects a mapping with id, statistic, date, value, "
                              "and a tolerance or uncertainty");
    memset(t, 0, sizeof *t);
    t->value = NAN;
    t->mark = mig_yaml_mark(node);
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(node, &iter))) {
        char key[32], what[320];
        if (text_of(path, fy_node_pair_key(pair), "key", key, sizeof key) < 0)
            return mig_yaml_error(path, fy_node_pair_key(pair), "expected a key");
        int k = 0;
        while (known_keys[k] && strcmp(known_keys[k], key) != 0)
            k++;
        if (!known_keys[k]) {
            snprintf(what, sizeof what,
                     "unknown key '%s' in a figure (expected id, label, statistic, key, date, "
                     "from, to, value, tolerance or uncertainty, sample, weight, role, source)",
                     key);
            return mig_yaml_error(path, fy_node_pair_key(pair), "%s", what);
        }
    }
    struct fy_node *id = fy_node_mapping_lookup_by_string(node, "id", -1);
    struct fy_node *stat = fy_node_mapping_lookup_by_string(node, "statistic", -1);
    struct fy_node *date = fy_node_mapping_lookup_by_string(node, "date", -1);
    struct fy_node *from = fy_node_mapping_lookup_by_string(node, "from", -1);
    struct fy_node *to = fy_node_mapping_lookup_by_string(node, "to", -1);
    struct fy_node *value = fy_node_mapping_lookup_by_string(node, "value", -1);
    struct fy_node *tol = fy_node_mapping_lookup_by_string(node, "tolerance", -1);
    struct fy_node *unc = fy_node_mapping_lookup_by_string(node, "uncertainty", -1);
    struct fy_node *n;
    int status;
    if (!id || !stat || (!tol == !unc))
        return mig_yaml_error(path, node,
                              "a figure expects 'id', 'statistic' and either 'tolerance' or "
                              "'uncertainty'");
    t->statistic_mark = mig_yaml_mark(stat);
    t->date_mark = mig_yaml_mark(date ? date : from);
    t->key_mark = t->statistic_mark;
    if ((status = text_of(path, id, "id", t->id, sizeof t->id)) < 0 ||
        (status = text_of(path, stat, "statistic", t->statistic, sizeof t->statistic)) < 0)
        return status;
    if ((n = fy_node_mapping_lookup_by_string(node, "label", -1)) &&
        (status = text_of(path, n, "label", t->label, sizeof t->label)) < 0)
        return status;
    if ((n = fy_node_mapping_lookup_by_string(node, "key", -1))) {
        if ((status = text_of(path, n, "key", t->key, sizeof t->key)) < 0)
            return status;
        t->key_mark = mig_yaml_mark(n);
    }
    if ((n = fy_node_mapping_lookup_by_string(node, "source", -1)) &&
        (status = text_of(path, n, "source", t->source, sizeof t->source)) < 0)
        return status;
    if (date && (from || to))
        return mig_yaml_error(path, date,
                              "a figure takes either 'date' or 'from' and 'to', not both");
    if (date) {
        if ((status = mig_yaml_date(path, date, "date", &t->from)) < 0)
            return status;
        t->to = t->from;
    } else if (from && to) {
        if ((status = mig_yaml_date(path, from, "from", &t->from)) < 0 ||
            (status = mig_yaml_date(path, to, "to", &t->to)) < 0)
            return status;
        if (t->to < t->from)
            return mig_yaml_error(path, to,
                                  "'to' is before 'from'; expected a window forwards in time");
    } else {
        return mig_yaml_error(path, node, "a figure expects 'date', or 'from' and 'to'");
    }
    if (value && (status = number_of(path, value, "value", &t->value)) < 0)
        return status;
    t->weight = 1;
    if ((n = fy_node_mapping_lookup_by_string(node, "weight", -1))) {
        if ((status = number_of(path, n, "weight", &t->weight)) < 0)
            return status;
        if (t->weight < 0)
            return mig_yaml_error(path, n, "'weight' must not be negative");
    }
    if ((n = fy_node_mapping_lookup_by_string(node, "sample", -1))) {
        double size;
        if ((status = number_of(path, n, "sample", &size)) < 0)
            return status;
        if (size < 10 || size > 1e6 || size != floor(size))
            return mig_yaml_error(path, n,
                                  "'sample' expects a whole number of respondents from "
                                  "10 to 1000000");
        t->sample = (int)size;
    }
    if ((n = fy_node_mapping_lookup_by_string(node, "role", -1))) {
        char role[16];
        if ((status = text_of(path, n, "role", role, sizeof role)) < 0)
            return status;
        if (strcmp(role, "fit") == 0)
            t->role = MIG_ROLE_FIT;
        else if (strcmp(role, "validate") == 0)
            t->role = MIG_ROLE_VALIDATE;
        else if (strcmp(role, "input") == 0)
            t->role = MIG_ROLE_INPUT;
        else
            return mig_yaml_error(path, n, "'role' expects fit, validate or input, found '%s'",
                                  role);
    }
    t->tolerance = tol != NULL;
    int result = tol ? tolerance(path, tol, t) : uncertainty(path, unc, t);
    if (result == 0 && !(t->sd_below > 0))
        t->sd_below = t->sd_above = t->sd;
    return result;
}

int mig_targets_load(struct targets *list, const char *path)
{
    memset(list, 0, sizeof *list);
    struct fy_document *doc = NULL;
    char *text = NULL;
    size_t size = 0;
    int status;
    if ((status = mig_yaml_read(path, &text, &size)) < 0 ||
        (status = mig_yaml_parse(path, text, size, &doc)) < 0)
        goto done;
    struct fy_node *root = fy_document_root(doc);
    struct fy_node *figures = root && fy_node_get_type(root) == FYNT_MAPPING
                                  ? fy_node_mapping_lookup_by_string(root, "figures", -1)
                                  : NULL;
    if (!figures || fy_node_get_type(figures) != FYNT_SEQUENCE) {
        status = mig_yaml_error(path, figures ? figures : root,
                                "expected a mapping with a list 'figures:'");
        goto done;
    }
    int n = fy_node_sequence_item_count(figures);
    list->items = calloc(n > 0 ? (size_t)n : 1, sizeof *list->items);
    list->path = strdup(path);
    if (!list->items || !list->path) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if ((status = one(path, fy_node_sequence_get_by_index(figures, i), &list->items[i])) < 0)
            goto done;
        for (int j = 0; j < i; j++)
            if (strcmp(list->items[j].id, list->items[i].id) == 0) {
                status = mig_yaml_error(path, fy_node_sequence_get_by_index(figures, i),
                                        "duplicate figure id; expected unique ids");
                goto done;
            }
        list->count = i + 1;
    }
done:
    if (doc)
        fy_document_destroy(doc);
    free(text);
    if (status < 0)
        mig_targets_free(list);
    return status;
}

void mig_targets_free(struct targets *list)
{
    free(list->items);
    free(list->path);
    memset(list, 0, sizeof *list);
}

void mig_targets_digest(const struct targets *t, char out[17])
{
    uint64_t h = MIG_DIGEST_START;
    for (int i = 0; i < t->count; i++) {
        const struct target *g = &t->items[i];
        int kind = g->kind, role = g->role;
        h = mig_digest(h, g->id, strlen(g->id) + 1);
        h = mig_digest(h, g->label, strlen(g->label) + 1);
        h = mig_digest(h, g->statistic, strlen(g->statistic) + 1);
        h = mig_digest(h, g->key, strlen(g->key) + 1);
        h = mig_digest(h, g->source, strlen(g->source) + 1);
        const double numbers[] = {(double)g->from, (double)g->to, g->value,    g->lo,
                                  g->hi,           g->sd,         g->sd_below, g->sd_above,
                                  g->weight};
        const int whole[] = {kind, g->tolerance, g->sample, role};
        h = mig_digest(h, numbers, sizeof numbers);
        h = mig_digest(h, whole, sizeof whole);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
