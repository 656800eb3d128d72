/* The HDF5 writer. Files follow the netCDF-4 data model, so that h5dump,
 * ncdump, h5py and xarray all read them with named dimensions: every
 * coordinate is a dimension scale, creation order is tracked, string
 * attributes are fixed-length, and every variable has units and a
 * description. Files are written under a temporary name and renamed when
 * complete. */
#ifndef MIGSIM_OUTPUT_H
#define MIGSIM_OUTPUT_H

#include "migsim/stats.h"

struct provenance {
    const char *command_line;
    int threads, ranks;
};

/* A figure's outcome, for the output's figure table and the summary. */
struct figure_result {
    double simulated;
    int within;
};

int mig_output_write(const char *path, const struct scenario *sc, const struct world *w,
                     const struct stats *s, const struct targets *figures,
                     const struct figure_result *results, const struct provenance *prov);

#endif
