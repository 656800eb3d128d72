/* Regional labour demand.
 *
 * BNS publishes employment by region in three blocks (agriculture; industry
 * and construction; services), and for some sections (construction, trade,
 * hospitality) by region as well, recovered from value added over labour
 * productivity (see SOURCES.md). A sector with its own regional column takes
 * it; the sectors without share what is left of their block in each region
 * in their national proportions. In the services block that remainder also
 * holds the public and financial sectors, which migrant workers do not
 * enter: they take their national part of it without being a model sector.
 *
 * Migrant demand in a sector is its employment times the sector's intensity
 * of migrant work: the IMWS share of migrants in the sector over the sector's
 * national employment share, and, for sectors the survey does not report,
 * one common intensity that gives them the rest of the migrants in
 * proportion to their employment. The national sector shares are therefore
 * inputs; the sector mix of each region, and so the regional pull, comes
 * from the regional data. */
#include "migsim/labour.h"
#include "migsim/csv.h"
#include "migsim/error.h"
#include "migsim/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum block { AGRICULTURE, INDUSTRY_CONSTRUCTION, SERVICES, BLOCKS };

static const char *const block_names[BLOCKS] = {"agriculture", "industry_construction",
                                                "services"};

int mig_labour_block(const char *name)
{
    for (int b = 0; b < BLOCKS; b++)
        if (strcmp(block_names[b], name) == 0)
            return b;
    return -1;
}

/* The regional columns: one per block, and one per sector that has its
 * own (empty name for none). */
struct economy {
    double block[MIG_MAX_REGIONS][BLOCKS];
    double own[MIG_MAX_REGIONS][MIG_MAX_SECTORS];
    double subsistence_kzt[MIG_MAX_REGIONS];
};

static int read_economy(const struct world *w, const struct scenario *sc, struct economy *e)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "regional_economy.csv");
    if (status < 0)
        return status;
    size_t code, block[BLOCKS], own[MIG_MAX_SECTORS], minimum;
    int seen[MIG_MAX_REGIONS] = {0};
    char name[64];
    if ((status = mig_csv_column(&t, "code", &code)) < 0 ||
        (status = mig_csv_column(&t, "subsistence_minimum_kzt", &minimum)) < 0)
        goto done;
    for (int b = 0; b < BLOCKS; b++) {
        snprintf(name, sizeof name, "employed_%s_persons", block_names[b]);
        if ((status = mig_csv_column(&t, name, &block[b])) < 0)
            goto done;
    }
    for (int k = 0; k < w->sectors; k++)
        if (w->sector_regional[k]) {
            snprintf(name, sizeof name, "employed_%s_persons", w->sector_code[k]);
            if ((status = mig_csv_column(&t, name, &own[k])) < 0)
                goto done;
        }
    for (size_t row = 0; row < t.rows; row++) {
        const struct csv_cell *c = mig_csv_cell(&t, row, code);
        int r = mig_world_region(w, c->text);
        if (r < 0 || seen[r]) {
            status = mig_fail(MIG_EINPUT,
                              "%s:%d:%d: error: %s region code '%s'; expected each code of "
                              "kz_regions.csv once",
                              t.path, c->line, c->column, r < 0 ? "unknown" : "repeated", c->text);
            goto done;
        }
        seen[r] = 1;
        if ((status = mig_csv_number(&t, row, minimum, 1, 1e9, &e->subsistence_kzt[r])) < 0)
            goto done;
        for (int b = 0; b < BLOCKS; b++)
            if ((status = mig_csv_number(&t, row, block[b], 0, 1e8, &e->block[r][b])) < 0)
                goto done;
        for (int k = 0; k < w->sectors; k++)
            if (w->sector_regional[k] &&
                (status = mig_csv_number(&t, row, own[k], 0, 1e8, &e->own[r][k])) < 0)
                goto done;
    }
    for (int r = 0; r < w->regions; r++)
        if (!seen[r]) {
            status = mig_fail(MIG_EINPUT,
                              "%s: error: no row for region '%s'; expected one row per region "
                              "of kz_regions.csv",
                              t.path, w->region_code[r]);
            goto done;
        }
done:
    mig_csv_free(&t);
    return status;
}

/* Employment by region of the sectors of one block. */
static int split_block(struct world *w, const struct economy *e, int b, const char *data)
{
    /* The block's national employment that is in no sector with its own
     * regional column. */
    double block_kz = 0, rest_kz = 0;
    for (int r = 0; r < w->regions; r++)
        block_kz += e->block[r][b];
    rest_kz = block_kz;
    for (int k = 0; k < w->sectors; k++)
        if (w->sector_block[k] == b && w->sector_regional[k])
            for (int r = 0; r < w->regions; r++)
                rest_kz -= e->own[r][k];
    for (int r = 0; r < w->regions; r++) {
        double rest = e->block[r][b];
        for (int k = 0; k < w->sectors; k++)
            if (w->sector_block[k] == b && w->sector_regional[k])
                rest -= w->employed[r][k] = e->own[r][k];
        if (rest < -0.5)
            return mig_fail(MIG_EINPUT,
                            "%s/regional_economy.csv: error: in region '%s' the sectors of block "
                            "'%s' employ more than the block; expected at most its total",
                            data, w->region_code[r], block_names[b]);
        for (int k = 0; k < w->sectors; k++)
            if (w->sector_block[k] == b && !w->sector_regional[k])
                w->employed[r][k] = rest_kz > 0 ? fmax(rest, 0.0) * w->sector_employed_kz[k] *
                                                      1000.0 / rest_kz
                                                : 0.0;
    }
    return 0;
}

static void intensities(struct world *w)
{
    double known = 0, unknown_employed = 0, employed = 0;
    for (int k = 0; k < w->sectors; k++) {
        employed += w->sector_employed_kz[k];
        if (isnan(w->sector_migrant_share[k]))
            unknown_employed += w->sector_employed_kz[k];
        else
            known += w->sector_migrant_share[k] / 100.0;
    }
    double rest = fmax(0.0, 1.0 - known);
    for (int k = 0; k < w->sectors; k++) {
        double share = w->sector_employed_kz[k] / employed;
        w->migrant_intensity[k] =
            isnan(w->sector_migrant_share[k])
                ? (unknown_employed > 0 ? rest / unknown_employed * employed : 0.0)
                : w->sector_migrant_share[k] / 100.0 / share;
    }
}

int mig_labour_load(struct world *w, const struct scenario *sc)
{
    struct economy *e = &(struct economy){0};
    int status = read_economy(w, sc, e);
    for (int b = 0; status == 0 && b < BLOCKS; b++)
        status = split_block(w, e, b, sc->data);
    if (status == 0)
        intensities(w);
    for (int r = 0; status == 0 && r < w->regions; r++)
        w->region_subsistence_usd[r] = e->subsistence_kzt[r] / sc->migrants.kzt_per_usd;
    return status;
}
