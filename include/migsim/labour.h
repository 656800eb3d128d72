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

/* For sectors.csv: the index of a block name, or -1. */
int mig_labour_block(const char *name);

#endif
