/* Regional labour demand.
 *
 * BNS publishes employment by region in three blocks only (agriculture;
 * industry and construction; services) and value added by region for five
 * sections. A sector's employment in a region is estimated from its value
 * added divided by the sector's national value added per worker (the same
 * productivity in every region), within its block:
 *   - industry and construction: the block is shared between the two in
 *     proportion to those estimates;
 *   - services: trade takes its estimate (at most 80% of the block), and
 *     the rest of the block goes to the other service sectors in their
 *     national proportions, the public and financial sectors that migrants do
 *     not enter taking their national part without being a model sector;
 *   - agriculture is its own block.
 * Migrant demand in a sector is its employment times the sector's intensity
 * of migrant work: the IMWS share of migrants in the sector over the sector's
 * national employment share, and for sectors the survey does not report, one
 * common intensity that gives them the rest of the migrants in proportion to
 * their employment. */
#include "migsim/labour.h"
#include "migsim/csv.h"
#include "migsim/error.h"
#include "migsim/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum block { AGRICULTURE, INDUSTRY_CONSTRUCTION, SERVICES, BLOCKS };
enum gva { GVA_AGRICULTURE, GVA_MINING, GVA_MANUFACTURING, GVA_CONSTRUCTION, GVA_TRADE, GVAS };

static const char *const block_names[BLOCKS] = {"agriculture", "industry_construction",
                                                "services"};
static const char *const block_columns[BLOCKS] = {"employed_agriculture_persons",
                                                  "employed_industry_construction_persons",
                                                  "employed_services_persons"};
static const char *const gva_names[GVAS] = {"agriculture", "mining", "manufacturing",
                                            "construction", "trade"};
static const char *const gva_columns[GVAS] = {"gva_agriculture_mkzt", "gva_mining_mkzt",
                                              "gva_manufacturing_mkzt", "gva_construction_mkzt",
                                              "gva_trade_mkzt"};

struct economy {
    double block[MIG_MAX_REGIONS][BLOCKS];
    double gva[MIG_MAX_REGIONS][GVAS];
};

int mig_labour_block(const char *name)
{
    for (int b = 0; b < BLOCKS; b++)
        if (strcmp(block_names[b], name) == 0)
            return b;
    return -1;
}

/* A sector's value-added sections as a bit set, from "mining+manufacturing";
 * 0 for none, -1 for an unknown name. */
int mig_labour_gva_set(const char *text)
{
    int set = 0;
    while (*text) {
        size_t n = strcspn(text, "+");
        int found = -1;
        for (int g = 0; g < GVAS; g++)
            if (strlen(gva_names[g]) == n && strncmp(gva_names[g], text, n) == 0)
                found = g;
        if (found < 0)
            return -1;
        set |= 1 << found;
        text += n;
        if (*text == '+')
            text++;
    }
    return set;
}

static int read_economy(const struct world *w, const struct scenario *sc, struct economy *e)
{
    struct csv t;
    int status = mig_csv_read_in(&t, sc->data, "regional_economy.csv");
    if (status < 0)
        return status;
    size_t code, block[BLOCKS], gva[GVAS];
    int seen[MIG_MAX_REGIONS] = {0};
    if ((status = mig_csv_column(&t, "code", &code)) < 0)
        goto done;
    for (int b = 0; b < BLOCKS; b++)
        if ((status = mig_csv_column(&t, block_columns[b], &block[b])) < 0)
            goto done;
    for (int g = 0; g < GVAS; g++)
        if ((status = mig_csv_column(&t, gva_columns[g], &gva[g])) < 0)
            goto done;
    for (size_t row = 0; row < t.rows; row++) {
        const struct csv_cell *c = mig_csv_cell(&t, row, code);
        int r = mig_world_region(w, c->text);
        if (r < 0 || seen[r]) {
            status = mig_fail(MIG_EINPUT, "%s:%d:%d: error: %s region code '%s'; expected each "
                              "code of kz_regions.csv once",
                              t.path, c->line, c->column, r < 0 ? "unknown" : "repeated", c->text);
            goto done;
        }
        seen[r] = 1;
        for (int b = 0; b < BLOCKS; b++)
            if ((status = mig_csv_number(&t, row, block[b], 0, 1e8, &e->block[r][b])) < 0)
                goto done;
        for (int g = 0; g < GVAS; g++)
            if ((status = mig_csv_number(&t, row, gva[g], 0, 1e12, &e->gva[r][g])) < 0)
                goto done;
    }
    for (int r = 0; r < w->regions; r++)
        if (!seen[r]) {
            status = mig_fail(MIG_EINPUT, "%s: error: no row for region '%s'; expected one row "
                              "per region of kz_regions.csv",
                              t.path, w->region_code[r]);
            goto done;
        }
done:
    mig_csv_free(&t);
    return status;
}

static double sector_gva(const struct economy *e, int r, int set)
{
    double sum = 0;
    for (int g = 0; g < GVAS; g++)
        if (set & (1 << g))
            sum += e->gva[r][g];
    return sum;
}

/* Employment by region of the sectors of one block. */
static void split_block(struct world *w, const struct economy *e, int b)
{
    double productivity[MIG_MAX_SECTORS] = {0}, block_kz = 0, no_gva_kz = 0;
    for (int r = 0; r < w->regions; r++)
        block_kz += e->block[r][b];
    for (int k = 0; k < w->sectors; k++) {
        if (w->sector_block[k] != b)
            continue;
        if (w->sector_gva[k]) {
            double total = 0;
            for (int r = 0; r < w->regions; r++)
                total += sector_gva(e, r, w->sector_gva[k]);
            productivity[k] = total / (w->sector_employed_kz[k] * 1000.0);
        } else {
            no_gva_kz += w->sector_employed_kz[k] * 1000.0;
        }
    }
    /* National employment of the block that is in no sector with value
     * added: the other service sectors and those migrants do not enter. */
    double rest_kz = block_kz;
    for (int k = 0; k < w->sectors; k++)
        if (w->sector_block[k] == b && w->sector_gva[k])
            rest_kz -= w->sector_employed_kz[k] * 1000.0;
    for (int r = 0; r < w->regions; r++) {
        double people = e->block[r][b], estimated = 0;
        double estimate[MIG_MAX_SECTORS] = {0};
        for (int k = 0; k < w->sectors; k++)
            if (w->sector_block[k] == b && w->sector_gva[k] && productivity[k] > 0)
                estimated += estimate[k] = sector_gva(e, r, w->sector_gva[k]) / productivity[k];
        /* Without other sectors the block is shared in proportion to the
         * estimates; with them, the estimates keep their level (up to 80%
         * of the block) and the others share what is left. */
        double to_gva = no_gva_kz > 0 ? fmin(estimated, 0.8 * people) : people;
        double rest = people - to_gva;
        for (int k = 0; k < w->sectors; k++) {
            if (w->sector_block[k] != b)
                continue;
            if (w->sector_gva[k])
                w->employed[r][k] = estimated > 0 ? to_gva * estimate[k] / estimated : 0.0;
            else
                w->employed[r][k] =
                    rest_kz > 0 ? rest * w->sector_employed_kz[k] * 1000.0 / rest_kz : 0.0;
        }
    }
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
    if (status < 0)
        return status;
    for (int b = 0; b < BLOCKS; b++)
        split_block(w, e, b);
    intensities(w);
    return 0;
}
