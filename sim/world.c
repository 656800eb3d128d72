/* Loading the data folder into struct world. Every value is range-checked
 * where it is read, so a typo in a CSV is reported at its line and column. */
#include "migsim/world.h"
#include "migsim/digest.h"
#include "migsim/csv.h"
#include "migsim/demography.h"
#include "migsim/error.h"
#include "migsim/labour.h"
#include "migsim/routes.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void copy_name(const struct csv *t, size_t row, size_t column, char *out, size_t size)
{
    snprintf(out, size, "%s", mig_csv_cell(t, row, column)->text);
}

static int duplicate(const struct csv *t, size_t row, size_t column, const char (*codes)[8],
                     int count)
{
    const struct csv_cell *c = mig_csv_cell(t, row, column);
    for (int i = 0; i < count; i++)
        if (strcmp(codes[i], c->text) == 0)
            return mig_fail(MIG_EINPUT,
                            "%s:%d:%d: error: code '%s' appears twice; expected "
                            "unique codes",
                            t->path, c->line, c->column, c->text);
    return 0;
}

static int load_regions(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "kz_regions.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {"code",
                                        "name",
                                        "lat",
                                        "lon",
                                        "population",
                                        "wage_2024_equiv_kzt",
                                        "climate_stress",
                                        "imws_round6_surveyed",
                                        NULL};
    size_t c[8];
    if ((status = mig_csv_columns(&t, names, c)) < 0 || (status = mig_csv_at_most(&t, MIG_MAX_REGIONS)) < 0)
        goto done;
    for (size_t r = 0; r < t.rows; r++) {
        double surveyed;
        if ((status = duplicate(&t, r, c[0], w->region_code, (int)r)) < 0 ||
            (status = mig_csv_code(&t, r, c[0], w->region_code[r], MIG_CODE_LEN)) < 0 ||
            (status = mig_csv_number(&t, r, c[2], -90, 90, &w->region_lat[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[3], -180, 180, &w->region_lon[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[4], 1, 1e9, &w->region_population[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[5], 1, 1e9, &w->region_wage_usd[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[6], 0, 1, &w->region_climate[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[7], 0, 1, &surveyed)) < 0)
            goto done;
        copy_name(&t, r, c[1], w->region_name[r], sizeof w->region_name[r]);
        w->region_wage_usd[r] /= sc->migrants.kzt_per_usd;
        w->region_surveyed[r] = surveyed > 0.5;
    }
    w->regions = (int)t.rows;
    for (int a = 0; a < w->regions; a++)
        for (int b = 0; b < w->regions; b++)
            w->region_distance_km[a][b] = mig_world_haversine_km(
                w->region_lat[a], w->region_lon[a], w->region_lat[b], w->region_lon[b]);
done:
    mig_csv_free(&t);
    return status;
}

static int load_origins(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "origins.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {
        "code", "name", "avg_monthly_wage_usd", "share_of_migrant_workers_in_kz_pct", "lat",
        "lon",  "russia_per_kazakhstan", NULL};
    size_t c[7];
    if ((status = mig_csv_columns(&t, names, c)) < 0 || (status = mig_csv_at_most(&t, MIG_MAX_ORIGINS)) < 0)
        goto done;
    double total = 0;
    for (size_t r = 0; r < t.rows; r++) {
        if ((status = duplicate(&t, r, c[0], w->origin_code, (int)r)) < 0 ||
            (status = mig_csv_code(&t, r, c[0], w->origin_code[r], MIG_CODE_LEN)) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[2], 1, 1e6, sc->migrants.other_origin_wage_usd,
                                      &w->origin_wage_usd[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[3], 0, 100, &w->origin_share[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[4], -90, 90, NAN, &w->origin_lat[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[5], -180, 180, NAN, &w->origin_lon[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[6], 0, 1e4, 0, &w->origin_russia_ratio[r])) < 0)
            goto done;
        copy_name(&t, r, c[1], w->origin_name[r], sizeof w->origin_name[r]);
        total += w->origin_share[r];
    }
    if (total <= 0) {
        status = mig_fail(MIG_EINPUT,
                          "%s: error: origin shares add to 0; expected a positive "
                          "total",
                          t.path);
        goto done;
    }
    w->origins = (int)t.rows;
    for (int o = 0; o < w->origins; o++)
        w->origin_share[o] /= total; /* published shares add to 100.6% */
done:
    mig_csv_free(&t);
    return status;
}

static int load_distances(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "distances.csv");
    if (status < 0)
        return status;
    for (int o = 0; o < MIG_MAX_ORIGINS; o++)
        for (int r = 0; r < MIG_MAX_REGIONS; r++)
            w->distance_km[o][r] = NAN;
    static const char *const names[] = {"origin_code", "region_code", "great_circle_km", NULL};
    size_t c[3];
    if ((status = mig_csv_columns(&t, names, c)) < 0)
        goto done;
    for (size_t r = 0; r < t.rows; r++) {
        const struct csv_cell *oc = mig_csv_cell(&t, r, c[0]), *rc = mig_csv_cell(&t, r, c[1]);
        int o = mig_world_origin(w, oc->text), g = mig_world_region(w, rc->text);
        if (o < 0 || g < 0) {
            const struct csv_cell *bad = o < 0 ? oc : rc;
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:%d: error: unknown %s code '%s'; expected one "
                              "of the codes in %s",
                              t.path, bad->line, bad->column, o < 0 ? "origin" : "region",
                              bad->text, o < 0 ? "origins.csv" : "kz_regions.csv");
            goto done;
        }
        if ((status = mig_csv_number(&t, r, c[2], 0, 40000, &w->distance_km[o][g])) < 0)
            goto done;
    }
    for (int o = 0; o < w->origins; o++) {
        double sum = 0;
        int n = 0;
        for (int g = 0; g < w->regions; g++)
            if (!isnan(w->distance_km[o][g]))
                sum += w->distance_km[o][g], n++;
        w->origin_distance_km[o] = n ? sum / n : sc->migrants.other_origin_distance_km;
    }
done:
    mig_csv_free(&t);
    return status;
}

static int load_sectors(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "sectors.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {
        "code",     "name",  "wage_factor",           "seasonal", "block",
        "regional", "employed_kz_thousands", "migrant_share_pct", NULL};
    size_t c[8];
    if ((status = mig_csv_columns(&t, names, c)) < 0 || (status = mig_csv_at_most(&t, MIG_MAX_SECTORS)) < 0)
        goto done;
    double surveyed = 0;
    for (size_t r = 0; r < t.rows; r++) {
        double seasonal;
        const struct csv_cell *block = mig_csv_cell(&t, r, c[4]);
        double regional;
        if ((status = mig_csv_code(&t, r, c[0], w->sector_code[r], sizeof w->sector_code[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[2], 0.01, 100, &w->sector_wage_factor[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[3], 0, 1, &seasonal)) < 0 ||
            (status = mig_csv_number(&t, r, c[5], 0, 1, &regional)) < 0 ||
            (status = mig_csv_number(&t, r, c[6], 0.001, 1e6, &w->sector_employed_kz[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[7], 0, 100, NAN, &w->sector_migrant_share[r])) < 0)
            goto done;
        if ((w->sector_block[r] = mig_labour_block(block->text)) < 0) {
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:%d: error: unknown block '%s'; expected agriculture, "
                              "industry_construction or services",
                              t.path, block->line, block->column, block->text);
            goto done;
        }
        w->sector_regional[r] = regional > 0.5;
        copy_name(&t, r, c[1], w->sector_name[r], sizeof w->sector_name[r]);
        w->sector_seasonal[r] = seasonal > 0.5;
        if (!isnan(w->sector_migrant_share[r]))
            surveyed += w->sector_migrant_share[r];
    }
    if (surveyed > 100) {
        status = mig_fail(MIG_EINPUT, "%s: error: migrant shares add to %g%%; expected at most 100",
                          t.path, surveyed);
        goto done;
    }
    w->sectors = (int)t.rows;
done:
    mig_csv_free(&t);
    return status;
}

static int load_ages(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "age_bands.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {"code", "name", "population_share", "mobility_factor",
                                        NULL};
    size_t c[4];
    if ((status = mig_csv_columns(&t, names, c)) < 0 || (status = mig_csv_at_most(&t, MIG_MAX_AGES)) < 0)
        goto done;
    double total = 0;
    w->student_age = -1;
    for (size_t r = 0; r < t.rows; r++) {
        if ((status = mig_csv_code(&t, r, c[0], w->age_code[r], MIG_CODE_LEN)) < 0 ||
            (status = mig_csv_number(&t, r, c[2], 0, 1, &w->age_share[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[3], 0, 100, &w->age_mobility[r])) < 0)
            goto done;
        copy_name(&t, r, c[1], w->age_name[r], sizeof w->age_name[r]);
        if (strcmp(w->age_name[r], "15-24") == 0)
            w->student_age = (int)r;
        total += w->age_share[r];
    }
    if (fabs(total - 1.0) > 0.01) {
        status = mig_fail(MIG_EINPUT, "%s: error: population shares add to %g; expected 1", t.path,
                          total);
        goto done;
    }
    w->ages = (int)t.rows;
done:
    mig_csv_free(&t);
    return status;
}

int mig_world_load(struct world *w, const struct scenario *sc)
{
    memset(w, 0, sizeof *w);
    int status;
    if ((status = load_regions(w, sc)) < 0 || (status = load_origins(w, sc)) < 0 ||
        (status = load_distances(w, sc)) < 0 || (status = load_sectors(w, sc)) < 0 ||
        (status = load_ages(w, sc)) < 0 || (status = mig_labour_load(w, sc)) < 0 ||
        (status = mig_routes_load(w, sc)) < 0 || (status = mig_demography_load(w, sc)) < 0)
        return status;
    return mig_world_check_scenario(w, sc);
}

int mig_world_origin(const struct world *w, const char *code)
{
    for (int o = 0; o < w->origins; o++)
        if (strcmp(w->origin_code[o], code) == 0)
            return o;
    return -1;
}

int mig_world_region(const struct world *w, const char *code)
{
    for (int r = 0; r < w->regions; r++)
        if (strcmp(w->region_code[r], code) == 0)
            return r;
    return -1;
}

static int check_origins(const struct world *w, const struct scenario *sc, const char *name,
                         const struct mig_by_origin *v)
{
    for (int i = 0; i < v->count; i++) {
        if (mig_world_origin(w, v->code[i]) >= 0)
            continue;
        char known[128] = "";
        for (int o = 0; o < w->origins; o++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", o ? ", " : "",
                     w->origin_code[o]);
        if (v->mark[i].line <= 0) /* a default value: the data file lacks the origin */
            return mig_fail(MIG_EINPUT,
                            "%s/origins.csv:1:1: error: no origin '%s', which '%s' uses by "
                            "default; expected a row for it",
                            sc->data, v->code[i], name);
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: unknown origin code '%s' in '%s'; expected "
                        "one of %s",
                        sc->files ? sc->file[v->file[i]] : "defaults", v->mark[i].line,
                        v->mark[i].column, v->code[i], name, known);
    }
    return 0;
}

static int check_regions(const struct world *w, const struct scenario *sc, const char *name,
                         const struct mig_region_list *v)
{
    for (int i = 0; i < v->count; i++)
        if (mig_world_region(w, v->code[i]) < 0 && v->mark[i].line <= 0)
            return mig_fail(MIG_EINPUT,
                            "%s/kz_regions.csv:1:1: error: no region '%s', which '%s' uses by "
                            "default; expected a row for it",
                            sc->data, v->code[i], name);
        else if (mig_world_region(w, v->code[i]) < 0)
            return mig_fail(MIG_EINPUT,
                            "%s:%d:%d: error: unknown region code '%s' in '%s'; "
                            "expected a code from kz_regions.csv",
                            sc->files ? sc->file[v->file] : "defaults", v->mark[i].line,
                            v->mark[i].column, v->code[i], name);
    return 0;
}

static int sector_index(const struct world *w, const char *code)
{
    for (int k = 0; k < w->sectors; k++)
        if (strcmp(w->sector_code[k], code) == 0)
            return k;
    return -1;
}

/* An event's target must be what its type allows. */
static int check_event(const struct world *w, const struct scenario *sc, const struct mig_event *e)
{
    size_t n;
    const struct mig_event_type *type = &mig_timeline_types(&n)[e->kind];
    const char *path = sc->file[e->file], *t = e->target;
    bool all = strcmp(t, "all") == 0, origin = mig_world_origin(w, t) >= 0;
    bool region = mig_world_region(w, t) >= 0, kaz = strcmp(t, "KAZ") == 0;
    bool ok = true;
    const char *expected = "";
    switch (type->target) {
    case MIG_TARGET_NONE:
        break;
    case MIG_TARGET_ORIGIN:
        ok = origin, expected = "an origin code";
        break;
    case MIG_TARGET_ORIGIN_OR_ALL:
        ok = origin || all, expected = "an origin code or all";
        break;
    case MIG_TARGET_REGION:
        ok = region, expected = "a region code";
        break;
    case MIG_TARGET_REGION_OR_ALL:
        ok = region || all, expected = "a region code or all";
        break;
    case MIG_TARGET_ORIGIN_OR_REGION:
        ok = origin || region || kaz, expected = "an origin code, a region code or KAZ";
        break;
    }
    if (!ok)
        return mig_fail(MIG_EINPUT, "%s:%d:%d: error: unknown target '%s' for %s; expected %s",
                        path, e->target_mark.line, e->target_mark.column, t, type->name, expected);
    if (type->needs_sector && sector_index(w, e->sector) < 0)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: unknown sector '%s'; expected a code from "
                        "sectors.csv",
                        path, e->sector_mark.line, e->sector_mark.column, e->sector);
    return 0;
}

int mig_world_check_scenario(const struct world *w, const struct scenario *sc)
{
    for (int i = 0; i < sc->timeline.count; i++) {
        int status = check_event(w, sc, &sc->timeline.event[i]);
        if (status < 0)
            return status;
    }
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    for (size_t i = 0; i < n; i++) {
        const void *v = (const char *)sc + table[i].offset;
        int status = 0;
        if (table[i].type == MIG_PARAM_BY_ORIGIN)
            status = check_origins(w, sc, table[i].name, v);
        else if (table[i].type == MIG_PARAM_REGIONS)
            status = check_regions(w, sc, table[i].name, v);
        if (status < 0)
            return status;
    }
    return 0;
}

double mig_world_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0, earth_km = 6371.0088;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * earth_km * asin(fmin(1.0, sqrt(a)));
}

void mig_world_digest(const struct world *w, char out[17])
{
    /* The world is one flat structure, zeroed before it is loaded. */
    snprintf(out, 17, "%016llx", (unsigned long long)mig_digest(MIG_DIGEST_START, w, sizeof *w));
}
