/* Labour demand by region and sector, from the Bureau of National
 * Statistics' regional employment (agriculture, industry and construction,
 * services) split into the model's sectors by regional value added, and the
 * national intensity of migrant work in each sector from the IMWS. */
#ifndef MIGSIM_LABOUR_H
#define MIGSIM_LABOUR_H

struct world;
struct scenario;

/* Reads regional_economy.csv of the data folder and fills w->employed and
 * w->migrant_intensity; needs the regions and sectors already loaded. Errors
 * are located MIG_EINPUT. */
int mig_labour_load(struct world *w, const struct scenario *sc);

/* For sectors.csv: the index of a block name, or -1; the value-added
 * sections of a sector as a bit set from "mining+manufacturing" (0 for an
 * empty text), or -1 for an unknown name. */
int mig_labour_block(const char *name);
int mig_labour_gva_set(const char *text);

#endif
