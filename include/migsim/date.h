/* Civil dates as day numbers (days since 1970-01-01, proleptic Gregorian). */
#ifndef MIGSIM_DATE_H
#define MIGSIM_DATE_H

#include <stdbool.h>

/* Parses an exact "YYYY-MM-DD" into a day number; false if malformed or no
 * such day. */
bool mig_date_parse(const char *text, long *day);

/* Writes "YYYY-MM-DD" (11 bytes with the terminator). */
void mig_date_format(long day, char out[11]);

long mig_date_from_civil(int year, int month, int mday);
void mig_date_to_civil(long day, int *year, int *month, int *mday);

/* Day of the year, 0-based, used for seasonal cycles. */
int mig_date_day_of_year(long day);

#endif
