/* Reading a migsim output file back: its labels, series (one per
 * replicate) and provenance, with a clear MIG_EINPUT message for a file
 * that is not one (not HDF5, a variable missing, dimensions wrong). */
#ifndef MIGSIM_READER_H
#define MIGSIM_READER_H

#include "migsim/stats.h"

/* The figures table of a run, where it has one. */
struct run_figures {
    int count;
    char (*label)[160], (*statistic)[48];
    char (*id)[48], (*role)[16]; /* NULL where the file has none (older files) */
    double *sampling_sd;         /* likewise */
    double *observed, *lower, *upper, *simulated, *q05, *q95, *error, *from, *to;
    signed char *within;
};

struct run_file {
    char path[1024];
    char scenario_name[64], title[64], seed[32], version[32], revision[64], created[32];
    char first_event[16]; /* YYYY-MM-DD, or empty */
    char data_digest[24], figures_digest[24]; /* empty where the file has none (older files) */
    char *scenario_text, *parameters, *scenario_file, *command_line;
    double scale;
    int replicate_index; /* member K of an ensemble, or -1 */
    int replicates;
    struct world labels; /* codes, names, counts and geography */
    struct stats *runs;  /* one per replicate */
    struct run_figures figures;
    /* The entry points into Kazakhstan, where the file has them (for maps;
     * kept apart from `labels` so that a merge writes what it always did). */
    int routes;
    int route_origin[MIG_MAX_ROUTES];
    double route_kz_lat[MIG_MAX_ROUTES], route_kz_lon[MIG_MAX_ROUTES];
};

int mig_reader_load(struct run_file *f, const char *path);
void mig_reader_free(struct run_file *f);

#endif
