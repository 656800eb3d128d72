/* The HDF5 writer. Files follow the netCDF-4 data model, so that h5dump,
 * ncdump, h5py and xarray all read them with named dimensions: every
 * coordinate is a dimension scale, creation order is tracked, string
 * attributes are fixed-length, and every variable has units and a
 * description. Files are written under a temporary name and renamed when
 * complete. */
#ifndef MIGSIM_OUTPUT_H
#define MIGSIM_OUTPUT_H

#include "migsim/stats.h"

/* What made a file, for its root attributes. */
struct provenance {
    const char *title;
    const char *scenario_name, *scenario_file, *scenario_text, *parameters;
    double seed, scale;
    const char *command_line;
    const char *first_event; /* YYYY-MM-DD of the timeline's first event, or "" */
    int replicate_index;     /* >= 0: member K of an ensemble (seed derived from `seed`) */
    int threads, ranks;
    const char *data_digest, *figures_digest; /* of the world and the figures; NULL: none */
};

/* A figure's outcome: the simulated value (the mean over replicates), its
 * 5% and 95% quantiles over replicates (equal to it for one run), and how it
 * compares with the observation. */
struct figure_result {
    double simulated, q05, q95;
    double sampling_sd; /* of a survey estimate from an emulated sample; 0 otherwise */
    double error;       /* standardised error against the observation */
    int within;
};

/* Writes `replicates` runs of one shape (labels from w): with more than one,
 * every series gains a leading `replicate` dimension. Figures may be NULL. */
int mig_output_write(const char *path, const struct world *w, const struct stats *runs,
                     int replicates, const struct targets *figures,
                     const struct figure_result *results, const struct provenance *prov);

/* HDF5's own exit handler closes files left open; after a write failed
 * (a full disk) closing such a file crashes inside HDF5. The command line
 * calls mig_output_library_init() first, which keeps HDF5 from installing
 * that handler, and mig_output_library_close() last, which shuts HDF5 down
 * only when no file is left open in a failed state. */
void mig_output_library_init(void);
void mig_output_library_close(void);
/* The same file built in memory (HDF5's core driver, nothing on disk):
 * *image, freed with free(), holds *size bytes. */
int mig_output_image(void **image, size_t *size, const struct world *w, const struct stats *runs,
                     int replicates, const struct targets *figures,
                     const struct figure_result *results, const struct provenance *prov);

#endif
