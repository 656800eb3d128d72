/* Spreadsheets for policy teams: a run's series as tidy long tables (one
 * row per date, origin, region, sector and variable), its figures with
 * their roles, and its provenance, written as one .xlsx workbook or as a
 * folder of CSV files; with a base run, the differences as well. */
#ifndef MIGSIM_EXPORT_H
#define MIGSIM_EXPORT_H

struct export_options {
    const char *run;    /* the run to export */
    const char *output; /* FILE.xlsx, or a folder for CSV */
    const char *format; /* "xlsx" or "csv"; NULL: from the output's name */
    const char *base;   /* a run to take differences against (run minus base), or NULL */
    const char *command_line;
};

/* Writes atomically (each file under a temporary name, then renamed); a
 * foreign input is MIG_EINPUT and leaves existing outputs untouched. */
int mig_export_write(const struct export_options *o);

/* The files mig_export_write() would write, for the checks made before any
 * work (an output must not replace an input): the workbook, or
 * FOLDER/TABLE.csv for every table. Returns how many (at most `max`), or
 * MIG_EINPUT for an unknown format. `*folder` is set when the output is a
 * folder of CSV files. */
int mig_export_files(const struct export_options *o, char (*files)[4200], int max, int *folder);

#endif
