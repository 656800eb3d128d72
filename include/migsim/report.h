/* The report: one self-contained HTML file with inline SVG charts and CSS
 * (no scripts, no network, no external files) that policy teams can open
 * offline, attach to an email, or put in a briefing. */
#ifndef MIGSIM_REPORT_H
#define MIGSIM_REPORT_H

#define MIG_REPORT_MAX_COMPARE 6

struct report_options {
    const char *run; /* the run to report: the baseline when others are compared with it */
    const char *compare[MIG_REPORT_MAX_COMPARE]; /* alternatives, shown against `run` */
    int compare_count;
    const char *calibration; /* a calibration trace, or NULL */
    const char *sensitivity; /* a sensitivity analysis (migsim sensitivity), or NULL */
    const char *output;      /* the HTML file */
};

/* Writes the report atomically; a missing or foreign input is MIG_EINPUT. */
int mig_report_write(const struct report_options *o);

#endif
