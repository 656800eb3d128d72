/* Origins' areas and routes into Kazakhstan.
 *
 * The distance from an area abroad to a region runs along a route: by road
 * or rail from the area's centre to the crossing, then from the crossing to
 * the region's centre, each leg a great circle times migrants.road_factor;
 * or, on an air route, by road to the airport, the flight (times
 * migrants.air_factor) and by road from the arrival airport. An area uses
 * the shortest route of its origin to each region. */
#include "migsim/routes.h"
#include "migsim/csv.h"
#include "migsim/error.h"
#include "migsim/world.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int origin_of(const struct world *w, const struct csv *t, size_t row, size_t column,
                     int *o)
{
    const struct csv_cell *c = mig_csv_cell(t, row, column);
    if ((*o = mig_world_origin(w, c->text)) >= 0)
        return 0;
    return mig_fail(MIG_EINPUT,
                    "%s:%d:%d: error: unknown origin code '%s'; expected one of the codes "
                    "in origins.csv",
                    t->path, c->line, c->column, c->text);
}

static int load_areas(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "origin_areas.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {"origin", "code", "name", "lat", "lon", "population",
                                        NULL};
    size_t c[6];
    if ((status = mig_csv_columns(&t, names, c)) < 0 ||
        (status = mig_csv_at_most(&t, MIG_MAX_AREAS - MIG_MAX_ORIGINS)) < 0)
        goto done;
    for (size_t r = 0; r < t.rows; r++) {
        int a = w->areas;
        const struct csv_cell *code = mig_csv_cell(&t, r, c[1]);
        if ((status = origin_of(w, &t, r, c[0], &w->area_origin[a])) < 0 ||
            (status = mig_csv_code(&t, r, c[1], w->area_code[a], MIG_CODE_LEN)) < 0 ||
            (status = mig_csv_number(&t, r, c[3], -90, 90, &w->area_lat[a])) < 0 ||
            (status = mig_csv_number(&t, r, c[4], -180, 180, &w->area_lon[a])) < 0 ||
            (status = mig_csv_number(&t, r, c[5], 1, 2e9, &w->area_population[a])) < 0)
            goto done;
        for (int b = 0; b < a; b++)
            if (strcmp(w->area_code[b], code->text) == 0) {
                status = mig_fail(MIG_EINPUT,
                                  "%s:%d:%d: error: area code '%s' appears twice; expected "
                                  "unique codes",
                                  t.path, code->line, code->column, code->text);
                goto done;
            }
        snprintf(w->area_name[a], sizeof w->area_name[a], "%s", mig_csv_cell(&t, r, c[2])->text);
        w->areas++;
    }
done:
    mig_csv_free(&t);
    return status;
}

static int mode_of(const struct csv *t, size_t row, size_t column, int *mode)
{
    static const char *const modes[] = {"road", "rail", "air"};
    const struct csv_cell *c = mig_csv_cell(t, row, column);
    for (int m = 0; m < 3; m++)
        if (strcmp(c->text, modes[m]) == 0) {
            *mode = m;
            return 0;
        }
    return mig_fail(MIG_EINPUT, "%s:%d:%d: error: unknown mode '%s'; expected road, rail or air",
                    t->path, c->line, c->column, c->text);
}

static int load_route_table(struct world *w, const struct scenario *sc)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "routes.csv");
    if (status < 0)
        return status;
    static const char *const names[] = {"id",     "origin",      "mode",        "kz_region",
                                        "kz_lat", "kz_lon",      "abroad_lat",  "abroad_lon",
                                        NULL};
    size_t c[8];
    if ((status = mig_csv_columns(&t, names, c)) < 0 ||
        (status = mig_csv_at_most(&t, MIG_MAX_ROUTES)) < 0)
        goto done;
    for (size_t r = 0; r < t.rows; r++) {
        const struct csv_cell *region = mig_csv_cell(&t, r, c[3]);
        if ((status = mig_csv_code(&t, r, c[0], w->route_id[r], sizeof w->route_id[r])) < 0 ||
            (status = origin_of(w, &t, r, c[1], &w->route_origin[r])) < 0 ||
            (status = mode_of(&t, r, c[2], &w->route_mode[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[4], -90, 90, &w->route_kz_lat[r])) < 0 ||
            (status = mig_csv_number(&t, r, c[5], -180, 180, &w->route_kz_lon[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[6], -90, 90, w->route_kz_lat[r],
                                              &w->route_abroad_lat[r])) < 0 ||
            (status = mig_csv_optional_number(&t, r, c[7], -180, 180, w->route_kz_lon[r],
                                              &w->route_abroad_lon[r])) < 0)
            goto done;
        if ((w->route_region[r] = mig_world_region(w, region->text)) < 0) {
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:%d: error: unknown region code '%s'; expected a code from "
                              "kz_regions.csv",
                              t.path, region->line, region->column, region->text);
            goto done;
        }
    }
    w->routes = (int)t.rows;
done:
    mig_csv_free(&t);
    return status;
}

double mig_routes_km(const struct world *w, const struct scenario *sc, int route, double lat,
                     double lon, int region)
{
    double road = sc->migrants.road_factor;
    double to_route =
        mig_world_haversine_km(lat, lon, w->route_abroad_lat[route], w->route_abroad_lon[route]);
    double crossing = mig_world_haversine_km(w->route_abroad_lat[route], w->route_abroad_lon[route],
                                             w->route_kz_lat[route], w->route_kz_lon[route]);
    double onward = mig_world_haversine_km(w->route_kz_lat[route], w->route_kz_lon[route],
                                           w->region_lat[region], w->region_lon[region]);
    double flown = w->route_mode[route] == MIG_ROUTE_AIR ? sc->migrants.air_factor : road;
    return road * (to_route + onward) + flown * crossing;
}

/* Every origin without areas of its own becomes one area, far away. */
static void own_areas(struct world *w)
{
    for (int o = 0; o < w->origins; o++) {
        bool has = false;
        for (int a = 0; a < w->areas; a++)
            has |= w->area_origin[a] == o;
        if (has)
            continue;
        int a = w->areas++;
        w->area_origin[a] = o;
        snprintf(w->area_code[a], MIG_CODE_LEN, "%s", w->origin_code[o]);
        snprintf(w->area_name[a], sizeof w->area_name[a], "%s", w->origin_name[o]);
        w->area_population[a] = 1;
        w->area_lat[a] = w->area_lon[a] = NAN;
    }
}

static void shortest_routes(struct world *w, const struct scenario *sc)
{
    for (int a = 0; a < w->areas; a++)
        for (int r = 0; r < w->regions; r++) {
            w->area_km[a][r] = sc->migrants.other_origin_distance_km;
            w->area_route[a][r] = -1;
            if (isnan(w->area_lat[a]))
                continue;
            double best = INFINITY;
            for (int k = 0; k < w->routes; k++) {
                if (w->route_origin[k] != w->area_origin[a])
                    continue;
                double km = mig_routes_km(w, sc, k, w->area_lat[a], w->area_lon[a], r);
                if (km < best)
                    best = km, w->area_route[a][r] = k;
            }
            if (isfinite(best))
                w->area_km[a][r] = best;
        }
}

int mig_routes_load(struct world *w, const struct scenario *sc)
{
    int status;
    w->areas = w->routes = 0;
    if ((status = load_areas(w, sc)) < 0 || (status = load_route_table(w, sc)) < 0)
        return status;
    own_areas(w);
    for (int a = 0; a < w->areas; a++) {
        if (isnan(w->area_lat[a]))
            continue;
        bool routed = false;
        for (int k = 0; k < w->routes; k++)
            routed |= w->route_origin[k] == w->area_origin[a];
        if (!routed)
            return mig_fail(MIG_EINPUT,
                            "%s/routes.csv: error: no route for origin '%s', which has areas "
                            "in origin_areas.csv; expected at least one",
                            sc->data, w->origin_code[w->area_origin[a]]);
    }
    shortest_routes(w, sc);
    return 0;
}
