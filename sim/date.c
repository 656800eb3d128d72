/* Day numbers from civil dates and back (H. Hinnant's algorithms), so that
 * step arithmetic is integer arithmetic. */
#include "migsim/date.h"

#include <stdio.h>
#include <string.h>

long mig_date_from_civil(int year, int month, int mday)
{
    long y = year - (month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + mday - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void mig_date_to_civil(long day, int *year, int *month, int *mday)
{
    long z = day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static bool is_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool mig_date_parse(const char *text, long *day)
{
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || !is_digits(text, 4) ||
        !is_digits(text + 5, 2) || !is_digits(text + 8, 2))
        return false;
    int y, m, d;
    if (sscanf(text, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1)
        return false;
    long value = mig_date_from_civil(y, m, d);
    int yy, mm, dd;
    mig_date_to_civil(value, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 2025-02-30 and the like */
        return false;
    *day = value;
    return true;
}

void mig_date_format(long day, char out[11])
{
    int y, m, d;
    mig_date_to_civil(day, &y, &m, &d);
    char text[40];
    snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    memcpy(out, text, 10);
    out[10] = '\0';
}

int mig_date_day_of_year(long day)
{
    int y, m, d;
    mig_date_to_civil(day, &y, &m, &d);
    return (int)(day - mig_date_from_civil(y, 1, 1));
}
