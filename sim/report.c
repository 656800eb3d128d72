/* The HTML report. Charts are drawn as inline SVG by the small plotting
 * helpers below; every chart has a title, axes with units, a legend, an SVG
 * <title> and <desc> for screen readers, and colours from the Okabe-Ito
 * palette, which readers with colour-vision deficiencies can tell apart. */
#include "migsim/report.h"
#include "migsim/date.h"
#include "migsim/compare.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "migsim/text.h"
#include "h5safe.h"
#include "migsim/reader.h"
#include "outlines.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const palette[] = {"#E69F00", "#56B4E9", "#009E73", "#0072B2",
                                      "#D55E00", "#CC79A7", "#F0E442", "#000000"};
#define COLOURS 8

/* ---- text --------------------------------------------------------------- */

static void escaped(FILE *f, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*text, f);
        }
    }
}

/* A number for people: 1.23 M, 45.6 k, 789. */
static void human(char *out, size_t size, double x)
{
    double a = fabs(x);
    if (a >= 1e9)
        snprintf(out, size, "%.2f B", x / 1e9);
    else if (a >= 1e6)
        snprintf(out, size, "%.2f M", x / 1e6);
    else if (a >= 1e4)
        snprintf(out, size, "%.1f k", x / 1e3);
    else if (a >= 100 || x == floor(x))
        snprintf(out, size, "%.0f", x);
    else
        snprintf(out, size, "%.2f", x);
}

/* ---- plotting ----------------------------------------------------------- */

struct plot {
    FILE *f;
    double left, top, width, height; /* the plotting area, in pixels */
    double xmin, xmax, ymin, ymax;
};

static double px(const struct plot *p, double x)
{
    return p->left + (x - p->xmin) / (p->xmax - p->xmin) * p->width;
}

static double py(const struct plot *p, double y)
{
    return p->top + p->height - (y - p->ymin) / (p->ymax - p->ymin) * p->height;
}

static void svg_open(FILE *f, int width, int height, const char *id, const char *title,
                     const char *desc)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">\n<title "
            "id=\"%s-title\">",
            width, height, width, height, id, id, id);
    escaped(f, title);
    fprintf(f, "</title>\n<desc id=\"%s-desc\">", id);
    escaped(f, desc);
    fprintf(f, "</desc>\n<text x=\"%d\" y=\"22\" class=\"chart-title\" text-anchor=\"middle\">",
            width / 2);
    escaped(f, title);
    fputs("</text>\n", f);
}

/* A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks. */
static double nice_step(double span, int ticks)
{
    double raw = span / ticks, power = pow(10, floor(log10(raw)));
    double unit = raw / power;
    return power * (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10);
}

static void y_axis(struct plot *p, const char *unit)
{
    double step = nice_step(p->ymax - p->ymin, 5);
    p->ymin = floor(p->ymin / step) * step;
    p->ymax = ceil(p->ymax / step) * step;
    if (p->ymax <= p->ymin)
        p->ymax = p->ymin + step;
    for (double y = p->ymin; y <= p->ymax + step / 2; y += step) {
        char label[32];
        human(label, sizeof label, fabs(y) < step / 1e6 ? 0 : y);
        fprintf(p->f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                p->left, p->left + p->width, py(p, y), py(p, y), p->left - 6, py(p, y) + 4, label);
    }
    fprintf(p->f,
            "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" class=\"axis-label\" "
            "text-anchor=\"middle\">",
            p->left - 58, p->top + p->height / 2);
    escaped(p->f, unit);
    fputs("</text>\n", p->f);
}

/* Ticks at the start of each half-year; x is in days since `start`. */
static void time_axis(const struct plot *p, long start)
{
    int y0, m0, d0;
    mig_date_to_civil(start + (long)p->xmin, &y0, &m0, &d0);
    for (int year = y0; year <= y0 + 200; year++)
        for (int month = 1; month <= 7; month += 6) {
            double x = (double)(mig_date_from_civil(year, month, 1) - start);
            if (x < p->xmin || x > p->xmax)
                continue;
            if (x > p->xmax + 1)
                return;
            fprintf(p->f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"tick-line\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%04d-%02d"
                    "</text>\n",
                    px(p, x), px(p, x), p->top + p->height, p->top + p->height + 5, px(p, x),
                    p->top + p->height + 18, year, month);
        }
    fprintf(p->f,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"axis-label\" text-anchor=\"middle\">date (end "
            "of each weekly step)</text>\n",
            p->left, p->left + p->width, p->top + p->height, p->top + p->height,
            p->left + p->width / 2, p->top + p->height + 36);
}

static void legend(FILE *f, double x, double y, const char *const *names, int n,
                   const char *const *colours)
{
    for (int i = 0; i < n; i++)
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n",
                x, y + 18 * i, colours[i % COLOURS], x + 18, y + 18 * i + 10, names[i]);
}

/* Series over time: stacked areas or lines, with a legend on the right.
 * values[s][t] for series s; x[t] in days since `start`. */
struct time_chart {
    const char *id, *title, *desc, *unit;
    int series, steps, stacked;
    const char *const *names;
    double *const *values;
    const double *x;
    long start;
    const double *band_lo, *band_hi; /* an optional 90% band around series 0 */
    double marker;                   /* a day to mark (first event), or NAN */
    /* survey observations: x, value, lower, upper */
    int points;
    const double *point_x, *point_y, *point_lo, *point_hi;
};

static void time_chart(FILE *f, const struct time_chart *c)
{
    int width = 860, height = 340;
    svg_open(f, width, height, c->id, c->title, c->desc);
    struct plot p = {f, 80, 40, 560, 240, c->x[0], c->x[c->steps - 1], 0, 0};
    double lo = INFINITY, hi = -INFINITY;
    for (int t = 0; t < c->steps; t++) {
        double sum = 0;
        for (int s = 0; s < c->series; s++) {
            double v = c->values[s][t];
            sum = c->stacked ? sum + v : v;
            lo = fmin(lo, c->stacked ? 0 : v);
            hi = fmax(hi, sum);
        }
        if (c->band_lo)
            lo = fmin(lo, c->band_lo[t]), hi = fmax(hi, c->band_hi[t]);
    }
    for (int i = 0; i < c->points; i++)
        lo = fmin(lo, c->point_lo[i]), hi = fmax(hi, c->point_hi[i]);
    p.ymin = c->stacked ? 0 : fmin(lo, 0);
    p.ymax = hi > p.ymin ? hi : p.ymin + 1;
    y_axis(&p, c->unit);
    time_axis(&p, c->start);
    if (c->band_lo) {
        fprintf(f, "<path class=\"band\" d=\"");
        for (int t = 0; t < c->steps; t++)
            fprintf(f, "%c%.1f,%.1f", t ? 'L' : 'M', px(&p, c->x[t]), py(&p, c->band_hi[t]));
        for (int t = c->steps - 1; t >= 0; t--)
            fprintf(f, "L%.1f,%.1f", px(&p, c->x[t]), py(&p, c->band_lo[t]));
        fprintf(f, "Z\"><title>90%% interval over paired replicates</title></path>\n");
    }
    double *below = calloc((size_t)c->steps, sizeof *below);
    for (int s = 0; below && s < c->series; s++) {
        const char *colour = palette[s % COLOURS];
        if (c->stacked) {
            fprintf(f, "<path fill=\"%s\" fill-opacity=\"0.85\" stroke=\"none\" d=\"", colour);
            for (int t = 0; t < c->steps; t++)
                fprintf(f, "%c%.1f,%.1f", t ? 'L' : 'M', px(&p, c->x[t]),
                        py(&p, below[t] + c->values[s][t]));
            for (int t = c->steps - 1; t >= 0; t--)
                fprintf(f, "L%.1f,%.1f", px(&p, c->x[t]), py(&p, below[t]));
            fprintf(f, "Z\"><title>%s</title></path>\n", c->names[s]);
            for (int t = 0; t < c->steps; t++)
                below[t] += c->values[s][t];
        } else {
            fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", colour);
            for (int t = 0; t < c->steps; t++)
                fprintf(f, "%c%.1f,%.1f", t ? 'L' : 'M', px(&p, c->x[t]), py(&p, c->values[s][t]));
            fprintf(f, "\"><title>%s</title></path>\n", c->names[s]);
        }
    }
    free(below);
    if (p.ymin < 0)
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
                p.left, p.left + p.width, py(&p, 0), py(&p, 0));
    for (int i = 0; i < c->points; i++) {
        double x = px(&p, c->point_x[i]);
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"whisker\"/>"
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" class=\"observed\"><title>observed "
                "%.0f (%.0f to %.0f)</title></circle>\n",
                x, x, py(&p, c->point_lo[i]), py(&p, c->point_hi[i]), x, py(&p, c->point_y[i]),
                c->point_y[i], c->point_lo[i], c->point_hi[i]);
    }
    if (!isnan(c->marker) && c->marker >= p.xmin && c->marker <= p.xmax) {
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"marker\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">first event</text>\n",
                px(&p, c->marker), px(&p, c->marker), p.top, p.top + p.height,
                px(&p, c->marker) + 4, p.top + 12);
    }
    legend(f, p.left + p.width + 24, p.top, c->names, c->series, palette);
    if (c->points)
        fprintf(f,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" class=\"observed\"/><text x=\"%.1f\" "
                "y=\"%.1f\" class=\"legend\">survey (observed)</text>\n",
                p.left + p.width + 30, p.top + 18 * c->series + 6, p.left + p.width + 42,
                p.top + 18 * c->series + 10);
    if (c->band_lo)
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" class=\"band\"/><text "
                "x=\"%.1f\" y=\"%.1f\" class=\"legend\">90%% interval</text>\n",
                p.left + p.width + 24, p.top + 18 * c->series, p.left + p.width + 42,
                p.top + 18 * c->series + 10);
    fputs("</svg>\n", f);
}

/* ---- data from a run ---------------------------------------------------- */

/* The mean over replicates of one series element summed over `width`
 * consecutive values selected by `keep`. */
static double *over_time(const struct run_file *r, const char *name, int pick_dim, int key)
{
    /* Flows are shown per week, so that a shorter last step does not look
     * like a fall; stocks are shown as they are. */
    int flow = strcmp(name, "migrant_stock") != 0 && strcmp(name, "resident_population") != 0 &&
               strcmp(name, "visiting_home") != 0 && strcmp(name, "migrant_stock_by_sector") != 0;
    const struct stats *s = &r->runs[0];
    size_t n;
    const struct mig_series *list = mig_stats_series(&n);
    const struct mig_series *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            v = &list[i];
    double *out = calloc((size_t)s->steps, sizeof *out);
    if (!v || !out)
        return out;
    size_t width = mig_stats_series_width(s, v);
    size_t inner =
        v->dims[2]
            ? width / (v->dims[1] ? (strcmp(v->dims[1], "origin") == 0   ? (size_t)s->origins
                                     : strcmp(v->dims[1], "driver") == 0 ? MIG_DRIVERS
                                                                         : (size_t)s->regions)
                                  : 1)
            : 1;
    for (int rep = 0; rep < r->replicates; rep++) {
        const double *x = *(double *const *)((const char *)&r->runs[rep] + v->offset);
        for (int t = 0; t < s->steps; t++)
            for (size_t i = 0; i < width; i++) {
                size_t k = pick_dim == 1 ? i / inner : i % inner;
                if (key < 0 || (int)k == key)
                    out[t] += x[(size_t)t * width + i] / r->replicates *
                              (flow ? 7.0 / s->step_days[t] : 1.0);
            }
    }
    return out;
}

static double *step_ends(const struct stats *s)
{
    double *x = malloc((size_t)s->steps * sizeof *x);
    for (int t = 0; x && t < s->steps; t++)
        x[t] = (double)(s->step_day[t] - s->start) + s->step_days[t];
    return x;
}

static void free_all(double **items, int n)
{
    for (int i = 0; i < n; i++)
        free(items[i]);
}

/* ---- sections ----------------------------------------------------------- */

static void header(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    char first[11], last[11];
    mig_date_format(s->start, first);
    mig_date_format(s->step_day[s->steps - 1] + (long)s->step_days[s->steps - 1] - 1, last);
    fputs("<header><h1>migsim report: ", f);
    escaped(f, r->scenario_name);
    fprintf(f,
            "</h1>\n<p class=\"meta\">%s to %s, %d weekly steps, seed %s, %d replicate%s. "
            "migsim %s (revision ",
            first, last, s->steps, r->seed, r->replicates, r->replicates == 1 ? "" : "s",
            r->version);
    escaped(f, r->revision);
    fprintf(f, "), file created %s.</p></header>\n", r->created);
}

static void headline(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    double *stock = over_time(r, "migrant_stock", 1, -1);
    double *remit = over_time(r, "remittances_usd", 1, -1);
    double *moves = over_time(r, "internal_moves_by_driver", 1, -1);
    if (!stock || !remit || !moves)
        goto done;
    int end = s->steps - 1, survey = -1;
    long survey_day = 0;
    for (int i = 0; i < r->figures.count; i++)
        if (strcmp(r->figures.statistic[i], "migrant_stock") == 0 &&
            r->figures.from[i] >= survey_day)
            survey_day = (long)r->figures.from[i], survey = i;
    int at = end;
    if (survey >= 0)
        for (int t = 0; t < s->steps; t++)
            if (s->step_day[t] - s->start + (long)s->step_days[t] > survey_day) {
                at = t;
                break;
            }
    double month = 0, half = 0, days = 0;
    /* The series are per week: weight each step by its length. */
    for (int t = end; t >= 0 && days < 364; t--)
        month += remit[t] * s->step_days[t] / 7, days += s->step_days[t];
    month *= 30.4375 / fmax(days, 1);
    days = 0;
    for (int t = end; t >= 0 && days < 182; t--)
        half += moves[t] * s->step_days[t] / 7, days += s->step_days[t];
    char a[32], b[32], c[32], d[32], date[11];
    human(a, sizeof a, stock[at]);
    human(b, sizeof b, stock[end]);
    human(c, sizeof c, month);
    human(d, sizeof d, half);
    mig_date_format(s->step_day[at] + (long)s->step_days[at] - 1, date);
    fprintf(f,
            "<section class=\"cards\" aria-label=\"headline numbers\">\n"
            "<div class=\"card\"><div class=\"value\">%s</div><div class=\"what\">migrant workers "
            "present at the last survey date (%s)</div></div>\n"
            "<div class=\"card\"><div class=\"value\">%s</div><div class=\"what\">present at the "
            "end of the run</div></div>\n"
            "<div class=\"card\"><div class=\"value\">%+.1f%%</div><div class=\"what\">growth "
            "over the run</div></div>\n"
            "<div class=\"card\"><div class=\"value\">%s USD</div><div class=\"what\">remittances "
            "per month (last year, after fees)</div></div>\n"
            "<div class=\"card\"><div class=\"value\">%s</div><div class=\"what\">internal moves "
            "in the last half-year</div></div>\n</section>\n",
            a, date, b, 100.0 * (stock[end] / fmax(stock[0], 1) - 1), c, d);
done:
    free(stock);
    free(remit);
    free(moves);
}

/* One series over time per origin, named by the origins. */
static void by_origin(const struct run_file *r, const char *series, double **values,
                      const char **names)
{
    for (int o = 0; o < r->labels.origins; o++)
        values[o] = over_time(r, series, 1, o), names[o] = r->labels.origin_name[o];
}

static void stock_chart(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    const struct world *w = &r->labels;
    double *values[MIG_MAX_ORIGINS], *x = step_ends(s);
    const char *names[MIG_MAX_ORIGINS];
    by_origin(r, "migrant_stock", values, names);
    double px_[16], py_[16], lo[16], hi[16];
    int points = 0;
    for (int i = 0; i < r->figures.count && points < 16; i++)
        if (strcmp(r->figures.statistic[i], "migrant_stock") == 0) {
            px_[points] = r->figures.from[i];
            py_[points] = r->figures.observed[i];
            lo[points] = r->figures.lower[i];
            hi[points] = r->figures.upper[i];
            points++;
        }
    struct time_chart c = {
        .id = "stock",
        .title = "Migrant workers present in Kazakhstan, by origin",
        .desc = "Stacked areas of the migrant workers present at the end of each week, "
                "by origin country; dots with bars are the survey rounds' observed "
                "totals with their uncertainty.",
        .unit = "persons",
        .series = w->origins,
        .steps = s->steps,
        .stacked = 1,
        .names = names,
        .values = values,
        .x = x,
        .start = s->start,
        .marker = NAN,
        .points = points,
        .point_x = px_,
        .point_y = py_,
        .point_lo = lo,
        .point_hi = hi};
    fputs("<section><h2>Migrant workers present</h2>\n", f);
    time_chart(f, &c);
    fputs("</section>\n", f);
    free_all(values, w->origins);
    free(x);
}

/* A sequential colour-blind-safe scale (light yellow to dark purple). */
static void stress_colour(double v, char *out)
{
    static const int stops[3][3] = {{253, 231, 37}, {33, 145, 140}, {68, 1, 84}};
    v = fmin(fmax(v, 0), 1) * 2;
    int i = v >= 1 ? 1 : 0;
    double t = v - i;
    snprintf(out, 8, "#%02x%02x%02x", (int)(stops[i][0] + t * (stops[i + 1][0] - stops[i][0])),
             (int)(stops[i][1] + t * (stops[i + 1][1] - stops[i][1])),
             (int)(stops[i][2] + t * (stops[i + 1][2] - stops[i][2])));
}

/* ---- the map -------------------------------------------------------------- */

/* One ring of a country's outline, from the compiled-in outlines.csv. */
struct outline {
    char country[8];
    int points;
    double *lon, *lat;
};

/* Parses the outlines; returns how many rings (0 if memory ran out). */
static int outlines_read(struct outline **out)
{
    int n = 0, capacity = 0;
    struct outline *list = NULL;
    const char *line = strchr(outlines_csv, '\n'); /* after the header */
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        const char *comma1 = strchr(line, ','), *comma2 = comma1 ? strchr(comma1 + 1, ',') : NULL;
        const char *comma3 = comma2 ? strchr(comma2 + 1, ',') : NULL;
        if (!end || !comma3 || comma3 > end)
            break;
        if (n == capacity) {
            capacity = capacity ? 2 * capacity : 32;
            struct outline *grown = realloc(list, (size_t)capacity * sizeof *grown);
            if (!grown)
                break;
            list = grown;
        }
        struct outline *o = &list[n];
        snprintf(o->country, sizeof o->country, "%.*s", (int)(comma1 - line), line);
        int pairs = 1;
        for (const char *c = comma3 + 1; c < end && *c != ','; c++)
            pairs += *c == ';';
        o->lon = malloc((size_t)pairs * sizeof *o->lon);
        o->lat = malloc((size_t)pairs * sizeof *o->lat);
        o->points = 0;
        const char *c = comma3 + 1;
        while (o->lon && o->lat && o->points < pairs) {
            char *next;
            double x = strtod(c, &next), y = strtod(next, &next);
            if (next == c)
                break;
            o->lon[o->points] = x, o->lat[o->points++] = y;
            c = *next == ';' ? next + 1 : next;
            if (*next != ';')
                break;
        }
        n++;
        line = end;
    }
    *out = list;
    return n;
}

static void outlines_free(struct outline *list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i].lon), free(list[i].lat);
    free(list);
}

/* Where flows cross into Kazakhstan: the routes of the run file when it has
 * them (route_origin, route_kz_lat, route_kz_lon), else none. */
struct crossings {
    int count;
    int origin[256];
    double lat[256], lon[256];
};

/* From the run file's routes, which the reader checked. */
static void crossings_read(const struct run_file *r, struct crossings *c)
{
    c->count = r->routes < 256 ? r->routes : 256;
    for (int k = 0; k < c->count; k++)
        c->origin[k] = r->route_origin[k], c->lat[k] = r->route_kz_lat[k],
        c->lon[k] = r->route_kz_lon[k];
}

static void ring_path(FILE *f, const struct outline *o, double (*mx)(double), double (*my)(double),
                      const char *fill, const char *stroke, double width)
{
    fprintf(f,
            "<path fill=\"%s\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\" d=\"",
            fill, stroke, width);
    for (int i = 0; i < o->points; i++)
        fprintf(f, "%c%.1f,%.1f", i ? 'L' : 'M', mx(o->lon[i]), my(o->lat[i]));
    fputs("Z\"/>\n", f);
}

/* Equirectangular projection around Kazakhstan, wide enough for origins. */
static const double map_lon0 = 34, map_lon1 = 92, map_lat0 = 36, map_lat1 = 58;
static double map_scale(void)
{
    return fmin(680 / ((map_lon1 - map_lon0) * cos(47 * M_PI / 180)), 410 / (map_lat1 - map_lat0));
}
static double map_x(double lon)
{
    return 20 + (lon - map_lon0) * cos(47 * M_PI / 180) * map_scale();
}
static double map_y(double lat)
{
    return 40 + (map_lat1 - lat) * map_scale();
}

static void map_chart(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    const struct world *w = &r->labels;
    int end = s->steps - 1, R = w->regions, O = w->origins;
    double stock[MIG_MAX_REGIONS] = {0}, net[MIG_MAX_REGIONS] = {0};
    double arrivals[MIG_MAX_ORIGINS][MIG_MAX_REGIONS] = {{0}};
    for (int rep = 0; rep < r->replicates; rep++) {
        const struct stats *q = &r->runs[rep];
        for (int o = 0; o < O; o++)
            for (int g = 0; g < R; g++) {
                stock[g] += q->migrant_stock[((size_t)end * O + o) * R + g] / r->replicates;
                for (int t = 0; t < s->steps; t++)
                    arrivals[o][g] += q->arrivals[((size_t)t * O + o) * R + g] / r->replicates;
            }
        for (int t = 0; t < s->steps; t++)
            for (int a = 0; a < R; a++)
                for (int b = 0; b < R; b++) {
                    double m = q->internal_moves[((size_t)t * R + a) * R + b] / r->replicates;
                    net[a] -= m, net[b] += m;
                }
    }
    double width = 900, height = 470;
    struct crossings *routes = calloc(1, sizeof *routes);
    if (routes)
        crossings_read(r, routes);
    int by_routes = routes && routes->count > 0;
    svg_open(f, (int)width, (int)height, "map",
             "Where migrant workers are, where they come from, and who moves within Kazakhstan",
             by_routes
                 ? "A map of Kazakhstan and its neighbours: each region is a circle at its "
                   "administrative centre, sized by the migrant workers present at the end of the "
                   "run and coloured by climate stress; flows from the origin countries' reference "
                   "cities run through each origin's entry crossing nearest the region, sized by "
                   "arrivals over the run; the ring shows each region's net internal migration "
                   "(blue gain, vermillion loss)."
                 : "A map of Kazakhstan and its neighbours: each region is a circle at its "
                   "administrative centre, sized by the migrant workers present at the end of the "
                   "run and coloured by climate stress; flows from the origin countries' reference "
                   "cities enter Kazakhstan at the point of its border on the shortest way to the "
                   "region (the run file has no entry routes), sized by arrivals over the run; the "
                   "ring shows each region's net internal migration (blue gain, vermillion loss).");
    /* Land and borders: neighbours in grey, Kazakhstan light, the rest of
     * the box (the Caspian, Aral and Black Seas' parts) as water. */
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#dcebf5\"/>\n",
            map_x(map_lon0), map_y(map_lat1), map_x(map_lon1) - map_x(map_lon0),
            map_y(map_lat0) - map_y(map_lat1));
    struct outline *rings = NULL;
    int n_rings = outlines_read(&rings), border = -1;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n_rings; i++) {
            int kz = strcmp(rings[i].country, "398") == 0;
            if (kz != pass)
                continue;
            ring_path(f, &rings[i], map_x, map_y, kz ? "#fffdf6" : "#ecebe6",
                      kz ? "#4d4d4d" : "#a8a8a8", kz ? 1.4 : 0.7);
            if (kz && (border < 0 || rings[i].points > rings[border].points))
                border = i; /* the mainland: the ring with most points */
        }
    static const struct {
        const char *name;
        double lon, lat;
    } countries[] = {{"KAZAKHSTAN", 67.5, 49.4}, {"RUSSIA", 55.0, 56.6},
                     {"UZBEKISTAN", 62.8, 40.7}, {"TURKMENISTAN", 58.5, 38.6},
                     {"CHINA", 86.0, 40.6},      {"MONGOLIA", 88.6, 48.6},
                     {"Caspian Sea", 51.0, 40.6}};
    if (n_rings > 0)
        for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
            fprintf(
                f,
                "<text x=\"%.1f\" y=\"%.1f\" class=\"country\" text-anchor=\"middle\">%s</text>\n",
                map_x(countries[i].lon), map_y(countries[i].lat), countries[i].name);
    /* Flows: one leg from the origin to where it enters Kazakhstan (summed
     * over the regions it enters for), one leg on to each region. */
    double biggest = 1, most = 1;
    for (int g = 0; g < R; g++)
        biggest = fmax(biggest, stock[g]);
    int cross[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    double cx[MIG_MAX_ORIGINS][MIG_MAX_REGIONS], cy[MIG_MAX_ORIGINS][MIG_MAX_REGIONS];
    for (int o = 0; o < O; o++)
        for (int g = 0; g < R; g++) {
            cross[o][g] = -1;
            if (isnan(w->origin_lat[o]))
                continue;
            double ox = map_x(w->origin_lon[o]), oy = map_y(w->origin_lat[o]);
            double gx = map_x(w->region_lon[g]), gy = map_y(w->region_lat[g]), best = INFINITY;
            int candidates = by_routes ? routes->count : border >= 0 ? rings[border].points : 0;
            for (int k = 0; k < candidates; k++) {
                if (by_routes && routes->origin[k] != o)
                    continue;
                double x = map_x(by_routes ? routes->lon[k] : rings[border].lon[k]);
                double y = map_y(by_routes ? routes->lat[k] : rings[border].lat[k]);
                double d = hypot(x - ox, y - oy) + hypot(gx - x, gy - y);
                if (d < best)
                    best = d, cross[o][g] = k, cx[o][g] = x, cy[o][g] = y;
            }
        }
    for (int o = 0; o < O; o++)
        for (int g = 0; g < R; g++) {
            double leg = 0;
            for (int h = 0; h < R; h++)
                leg += cross[o][h] == cross[o][g] ? arrivals[o][h] : 0;
            most = fmax(most, leg);
        }
    for (int o = 0; o < O; o++) {
        if (isnan(w->origin_lat[o]))
            continue;
        double ox = map_x(w->origin_lon[o]), oy = map_y(w->origin_lat[o]);
        for (int g = 0; g < R; g++) {
            int first = 1; /* the first region through this crossing draws the shared leg */
            double leg = 0;
            for (int h = 0; h < R; h++)
                if (cross[o][h] == cross[o][g]) {
                    first = first && h >= g;
                    leg += arrivals[o][h];
                }
            const char *colour = palette[o % COLOURS];
            double gx = map_x(w->region_lon[g]), gy = map_y(w->region_lat[g]);
            if (cross[o][g] < 0) { /* no crossing known: straight from the origin */
                if (arrivals[o][g] >= 0.01 * most)
                    fprintf(
                        f,
                        "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                        "stroke=\"%s\" stroke-opacity=\"0.6\" stroke-width=\"%.1f\"><title>%s to "
                        "%s: %.0f arrivals</title></path>\n",
                        ox, oy, (ox + gx) / 2, (oy + gy) / 2 - 30, gx, gy, colour,
                        0.5 + 9 * sqrt(arrivals[o][g] / most), w->origin_name[o], w->region_name[g],
                        arrivals[o][g]);
                continue;
            }
            double x = cx[o][g], y = cy[o][g];
            if (first && leg >= 0.01 * most)
                fprintf(f,
                        "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
                        "stroke-opacity=\"0.6\" stroke-width=\"%.1f\" stroke-linecap=\"round\">"
                        "<title>%s: %.0f arrivals entering here</title></path>\n",
                        ox, oy, (ox + x) / 2 + (oy - y) * 0.12, (oy + y) / 2 - (ox - x) * 0.12, x,
                        y, colour, 0.5 + 9 * sqrt(leg / most), w->origin_name[o], leg);
            if (arrivals[o][g] >= 0.01 * most)
                fprintf(f,
                        "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
                        "stroke-opacity=\"0.6\" stroke-width=\"%.1f\" stroke-linecap=\"round\">"
                        "<title>%s to %s: %.0f arrivals</title></path>\n",
                        x, y, (x + gx) / 2 + (y - gy) * 0.12, (y + gy) / 2 - (x - gx) * 0.12, gx,
                        gy, colour, 0.5 + 9 * sqrt(arrivals[o][g] / most), w->origin_name[o],
                        w->region_name[g], arrivals[o][g]);
        }
    }
    outlines_free(rings, n_rings);
    for (int g = 0; g < R; g++) {
        char colour[8];
        stress_colour(w->region_climate[g], colour);
        double gx = map_x(w->region_lon[g]), gy = map_y(w->region_lat[g]);
        double radius = 3 + 20 * sqrt(stock[g] / biggest);
        char moved[32];
        human(moved, sizeof moved, net[g]);
        fprintf(f,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"2.5\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" "
                "stroke=\"#333\" stroke-width=\"0.5\"><title>%s: %.0f migrant workers, climate "
                "stress %.2f, net internal migration %s</title></circle><text x=\"%.1f\" "
                "y=\"%.1f\" class=\"map-label\" text-anchor=\"middle\">%s</text>\n",
                gx, gy, radius + 2.5, net[g] >= 0 ? "#0072B2" : "#D55E00", gx, gy, radius, colour,
                w->region_name[g], stock[g], w->region_climate[g], moved, gx, gy - radius - 5,
                w->region_code[g]);
    }
    for (int o = 0; o < O; o++) /* origins last, so that their labels stay on top */
        if (!isnan(w->origin_lat[o]))
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\" "
                    "stroke=\"#fff\"/><text x=\"%.1f\" y=\"%.1f\" class=\"map-label origin\">"
                    "%s</text>\n",
                    map_x(w->origin_lon[o]) - 5, map_y(w->origin_lat[o]) - 5, palette[o % COLOURS],
                    map_x(w->origin_lon[o]) + 8, map_y(w->origin_lat[o]) + 4, w->origin_name[o]);
    double lx = width - 180, ly = 60;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend-title\">climate stress</text>\n", lx,
            ly);
    for (int i = 0; i <= 4; i++) {
        char colour[8];
        stress_colour(i / 4.0, colour);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/><text "
                "x=\"%.1f\" y=\"%.1f\" class=\"legend\">%.2f</text>\n",
                lx, ly + 8 + 16 * i, colour, lx + 18, ly + 18 + 16 * i, i / 4.0);
    }
    char big[32], flow[32];
    human(big, sizeof big, biggest);
    human(flow, sizeof flow, most);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"legend-title\">workers present</text>"
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"23\" fill=\"none\" stroke=\"#333\"/><text "
            "x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"legend-title\">net internal migration</text>"
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\" stroke=\"#0072B2\" "
            "stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">gain</text>"
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\" stroke=\"#D55E00\" "
            "stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">loss</text>\n"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"legend-title\">arrivals over the run</text>"
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
            "stroke-width=\"9.5\"/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n",
            lx, ly + 108, lx + 25, ly + 145, lx + 56, ly + 149, big, lx, ly + 196, lx + 8, ly + 214,
            lx + 22, ly + 218, lx + 68, ly + 214, lx + 82, ly + 218, lx, ly + 250, lx, lx + 40,
            ly + 266, ly + 266, lx + 48, ly + 270, flow, lx, ly + 296,
            by_routes ? "entering by routes" : "entering at the border");
    fputs("</svg>\n", f);
    fprintf(f,
            "<p class=\"meta\">Outlines: Natural Earth (public domain), via the world-atlas "
            "package; regions at their administrative centres. %s</p>\n",
            by_routes ? "Flows enter by each origin's crossing on the shortest way to the region."
                      : "The run file has no entry routes, so flows enter at the point of "
                        "Kazakhstan's border on the shortest way from the origin's reference "
                        "city to the region: a geometric stand-in, not a real crossing.");
    free(routes);
}

static void drivers_chart(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    double *values[MIG_DRIVERS], *x = step_ends(s);
    for (int d = 0; d < MIG_DRIVERS; d++)
        values[d] = over_time(r, "internal_moves_by_driver", 1, d);
    struct time_chart c = {
        .id = "drivers",
        .title = "Internal moves by dominant driver",
        .desc = "Stacked areas of residents moving between regions each week, by the "
                "move's dominant driver.",
        .unit = "persons per week",
        .series = MIG_DRIVERS,
        .steps = s->steps,
        .stacked = 1,
        .names = mig_driver_names,
        .values = values,
        .x = x,
        .start = s->start,
        .marker = NAN};
    fputs("<section><h2>Internal migration</h2>\n", f);
    time_chart(f, &c);
    fputs("</section>\n", f);
    free_all(values, MIG_DRIVERS);
    free(x);
}

/* Remittances by origin as small multiples, each with its own axis, so that
 * the small origins are as legible as Uzbekistan (ten times the others). */
static void remittances_chart(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    const struct world *w = &r->labels;
    double *values[MIG_MAX_ORIGINS], *x = step_ends(s);
    const char *names[MIG_MAX_ORIGINS];
    by_origin(r, "remittances_usd", values, names);
    int O = w->origins, columns = 3, rows = (O + columns - 1) / columns;
    int width = 860, panel_w = 215, panel_h = 110, gap_x = 60, gap_y = 92;
    int height = 60 + rows * (panel_h + gap_y);
    fputs("<section><h2>Remittances and sectors</h2>\n", f);
    svg_open(f, width, height, "remittances", "Remittances sent home per week, by origin",
             "Small multiples: one panel per origin country, each with its own vertical axis, "
             "showing the money its migrant workers send home each week after fees.");
    int y0, m0, d0, y1, m1, d1;
    mig_date_to_civil(s->start + (long)x[0], &y0, &m0, &d0);
    mig_date_to_civil(s->start + (long)x[s->steps - 1], &y1, &m1, &d1);
    for (int o = 0; o < O && x && values[o]; o++) {
        double left = 70 + (o % columns) * (panel_w + gap_x),
               top = 78 + (o / columns) * (panel_h + gap_y);
        struct plot p = {f, left, top, panel_w, panel_h, x[0], x[s->steps - 1], 0, 0};
        double total = 0;
        for (int t = 0; t < s->steps; t++) {
            p.ymax = fmax(p.ymax, values[o][t]);
            total += values[o][t] * s->step_days[t] / 7;
        }
        if (p.ymax <= 0)
            p.ymax = 1;
        double step = nice_step(p.ymax, 3);
        p.ymax = ceil(p.ymax / step) * step;
        for (double v = 0; v <= p.ymax + step / 2; v += step) {
            char label[32];
            human(label, sizeof label, v);
            fprintf(f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                    p.left, p.left + p.width, py(&p, v), py(&p, v), p.left - 5, py(&p, v) + 4,
                    label);
        }
        for (int year = y0 + (m0 > 1 || d0 > 1); year <= y1; year++) {
            double at = (double)(mig_date_from_civil(year, 1, 1) - s->start);
            if (at < p.xmin || at > p.xmax)
                continue;
            fprintf(f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"tick-line\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%d</text>\n",
                    px(&p, at), px(&p, at), p.top + p.height, p.top + p.height + 4, px(&p, at),
                    p.top + p.height + 16, year);
        }
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
                p.left, p.left + p.width, p.top + p.height, p.top + p.height);
        fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" d=\"",
                palette[o % COLOURS]);
        for (int t = 0; t < s->steps; t++)
            fprintf(f, "%c%.1f,%.1f", t ? 'L' : 'M', px(&p, x[t]), py(&p, values[o][t]));
        char sum[32];
        human(sum, sizeof sum, total);
        fprintf(f, "\"><title>%s</title></path>\n", names[o]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend-title\">", p.left, p.top - 24);
        escaped(f, names[o]);
        fprintf(f,
                "</text><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s USD over the run"
                "</text>\n",
                p.left, p.top - 9, sum);
    }
    fprintf(f,
            "<text transform=\"translate(16,%.1f) rotate(-90)\" class=\"axis-label\" "
            "text-anchor=\"middle\">USD per week (each panel its own scale)</text>\n",
            height / 2.0);
    fputs("</svg>\n", f);
    free_all(values, O);
    free(x);
}

static void sectors_chart(FILE *f, const struct run_file *r)
{
    const struct stats *s = &r->runs[0];
    const struct world *w = &r->labels;
    int R = w->regions, K = w->sectors, end = s->steps - 1;
    int height = 60 + 22 * R + 40;
    svg_open(f, 860, height, "sectors", "Sector composition of migrant workers, by region",
             "Horizontal stacked bars: for each region, the share of the migrant workers "
             "present at the end of the run in each sector of work.");
    struct plot p = {f, 150, 40, 520, 22.0 * R, 0, 100, 0, 1};
    for (int v = 0; v <= 100; v += 20)
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/><text "
                "x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%d%%</text>\n",
                px(&p, v), px(&p, v), p.top, p.top + p.height, px(&p, v), p.top + p.height + 16, v);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"axis-label\" text-anchor=\"middle\">share of the "
            "region's migrant workers (%%)</text>\n",
            p.left + p.width / 2, p.top + p.height + 34);
    for (int g = 0; g < R; g++) {
        double total = 0, shares[MIG_MAX_SECTORS] = {0};
        for (int rep = 0; rep < r->replicates; rep++)
            for (int k = 0; k < K; k++)
                shares[k] += r->runs[rep].migrant_stock_by_sector[((size_t)end * R + g) * K + k];
        for (int k = 0; k < K; k++)
            total += shares[k];
        double at = 0, y = p.top + 22 * g + 3;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">", p.left - 6,
                y + 12);
        escaped(f, w->region_name[g]);
        fputs("</text>\n", f);
        for (int k = 0; total > 0 && k < K; k++) {
            double share = 100 * shares[k] / total;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"16\" fill=\"%s\"><title>"
                    "%s, %s: %.1f%%</title></rect>\n",
                    px(&p, at), y, px(&p, at + share) - px(&p, at), palette[k % COLOURS],
                    w->region_name[g], w->sector_name[k], share);
            at += share;
        }
    }
    const char *names[MIG_MAX_SECTORS];
    for (int k = 0; k < K; k++)
        names[k] = w->sector_code[k];
    legend(f, p.left + p.width + 24, p.top, names, K, palette);
    fputs("</svg>\n</section>\n", f);
}

/* The difference alt minus base of one series over time, per week: the
 * mean over paired replicates, and the 90% confidence interval of that mean. */
static int difference(const struct run_file *alt, const struct run_file *base, const char *series,
                      double *mean, double *lo, double *hi)
{
    const struct stats *s = &alt->runs[0];
    int n = alt->replicates, status = 0;
    double *each = calloc((size_t)n, sizeof *each);
    double **per = calloc((size_t)n, sizeof *per);
    for (int k = 0; per && k < n; k++) {
        struct run_file one_a = *alt, one_b = *base;
        one_a.runs = &alt->runs[k], one_a.replicates = 1;
        one_b.runs = &base->runs[k], one_b.replicates = 1;
        double *a = over_time(&one_a, series, 1, -1);
        double *b = over_time(&one_b, series, 1, -1);
        per[k] = a;
        for (int t = 0; a && b && t < s->steps; t++)
            a[t] -= b[t];
        if (!a || !b)
            status = -1;
        free(b);
    }
    if (!each || !per)
        status = -1;
    for (int t = 0; status == 0 && t < s->steps; t++) {
        mean[t] = 0;
        for (int k = 0; k < n; k++) {
            each[k] = per[k][t];
            mean[t] += each[k] / n;
        }
        /* The 90% confidence interval of the mean effect, as compare reports
         * it (t with n - 1 degrees of freedom), not the spread of a few
         * replicates. */
        double centre, half = 0, predict;
        if (n > 1)
            mig_compare_interval(each, n, &centre, &half, &predict);
        lo[t] = mean[t] - half;
        hi[t] = mean[t] + half;
    }
    for (int k = 0; per && k < n; k++)
        free(per[k]);
    free(per);
    free(each);
    return status;
}

/* Headline numbers of a run: workers present at the end, arrivals and
 * remittances over the run, internal moves in the last half-year. */
struct headline_numbers {
    double stock, arrivals, remittances, moves;
};

static void headline_numbers(const struct run_file *r, struct headline_numbers *h)
{
    const struct stats *s = &r->runs[0];
    memset(h, 0, sizeof *h);
    double *stock = over_time(r, "migrant_stock", 1, -1);
    double *arrivals = over_time(r, "arrivals", 1, -1);
    double *remit = over_time(r, "remittances_usd", 1, -1);
    double *moves = over_time(r, "internal_moves_by_driver", 1, -1);
    if (stock && arrivals && remit && moves) {
        h->stock = stock[s->steps - 1];
        double days = 0;
        for (int t = 0; t < s->steps; t++) /* per week back to per step */
            h->arrivals += arrivals[t] * s->step_days[t] / 7,
                h->remittances += remit[t] * s->step_days[t] / 7;
        for (int t = s->steps - 1; t >= 0 && days < 182; t--)
            h->moves += moves[t] * s->step_days[t] / 7, days += s->step_days[t];
    }
    free(stock);
    free(arrivals);
    free(remit);
    free(moves);
}

static void difference_cell(FILE *f, double value, double base)
{
    char a[32], b[32];
    human(a, sizeof a, value);
    human(b, sizeof b, value - base);
    fprintf(f, "<td>%s<br><span class=\"delta\">%s%s (%+.1f%%)</span></td>", a,
            value - base >= 0 ? "+" : "", b, base != 0 ? 100 * (value - base) / fabs(base) : 0.0);
}

/* One table of every option's headline numbers against the baseline. */
static void options_table(FILE *f, const struct run_file *base, const struct run_file *alts,
                          int count)
{
    struct headline_numbers b, a;
    headline_numbers(base, &b);
    char stock[32], arrivals[32], remit[32], moves[32];
    human(stock, sizeof stock, b.stock);
    human(arrivals, sizeof arrivals, b.arrivals);
    human(remit, sizeof remit, b.remittances);
    human(moves, sizeof moves, b.moves);
    fputs("<table class=\"options\" aria-label=\"headline effects of each option\">\n"
          "<thead><tr><th>option</th><th>first event</th><th>migrant workers present at the "
          "end</th><th>arrivals over the run</th><th>remittances over the run (USD)</th>"
          "<th>internal moves, last half-year</th></tr></thead>\n<tbody>\n<tr><td>",
          f);
    escaped(f, base->scenario_name);
    fprintf(f, " (baseline)</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
            base->first_event[0] ? base->first_event : "none", stock, arrivals, remit, moves);
    for (int i = 0; i < count; i++) {
        headline_numbers(&alts[i], &a);
        fprintf(f, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>",
                palette[i % COLOURS]);
        escaped(f, alts[i].scenario_name);
        fprintf(f, "</td><td>%s</td>", alts[i].first_event[0] ? alts[i].first_event : "none");
        difference_cell(f, a.stock, b.stock);
        difference_cell(f, a.arrivals, b.arrivals);
        difference_cell(f, a.remittances, b.remittances);
        difference_cell(f, a.moves, b.moves);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n<p class=\"meta\">Each option's value, and below it the difference "
          "from the baseline. All runs share the baseline's seed, so each difference is the "
          "option's effect, not noise.</p>\n",
          f);
}

/* Differences of each option from the baseline over time; with one option
 * and several replicates, its 90% band over paired replicates. */
static void comparison(FILE *f, const struct run_file *base, const struct run_file *alts, int count)
{
    const struct stats *s = &base->runs[0];
    static const struct {
        const char *series, *title, *unit;
    } items[] = {
        {"migrant_stock", "Migrant workers present: option minus baseline", "persons"},
        {"arrivals", "Arrivals per week: option minus baseline", "persons per week"},
        {"remittances_usd", "Remittances per week: option minus baseline", "USD per week"},
        {"internal_moves_by_driver", "Internal moves per week: option minus baseline",
         "persons per week"},
    };
    long first = 0;
    double marker =
        count == 1 && alts[0].first_event[0] && mig_date_parse(alts[0].first_event, &first)
            ? (double)(first - s->start)
            : NAN;
    fputs("<section><h2>Options against the baseline</h2>\n", f);
    options_table(f, base, alts, count);
    fputs("<p>", f);
    for (int i = 0; i < count; i++) {
        fputs(i ? (i + 1 == count ? " and " : ", ") : "", f);
        escaped(f, alts[i].scenario_name);
    }
    fputs(count > 1 ? ", each" : "", f);
    fputs(" minus ", f);
    escaped(f, base->scenario_name);
    fprintf(f, "%s.</p>\n",
            count == 1 && base->replicates > 1
                ? "; the band is the 90% confidence interval of the mean effect over paired "
                  "replicates (t, N - 1)"
                : "");
    double *x = step_ends(s);
    const char *names[MIG_REPORT_MAX_COMPARE];
    double *mean[MIG_REPORT_MAX_COMPARE] = {0};
    double *lo = calloc((size_t)s->steps, sizeof *lo), *hi = calloc((size_t)s->steps, sizeof *hi);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        int ok = x && lo && hi;
        for (int a = 0; a < count; a++) {
            names[a] = alts[a].scenario_name;
            mean[a] = calloc((size_t)s->steps, sizeof *mean[a]);
            ok = ok && mean[a] && difference(&alts[a], base, items[i].series, mean[a], lo, hi) == 0;
        }
        char id[32];
        snprintf(id, sizeof id, "compare-%zu", i);
        struct time_chart c = {.id = id,
                               .title = items[i].title,
                               .desc = "Lines of each option's value minus the baseline's at each "
                                       "week; with one option, the date of its first event is "
                                       "marked.",
                               .unit = items[i].unit,
                               .series = count,
                               .steps = s->steps,
                               .names = names,
                               .values = mean,
                               .x = x,
                               .start = s->start,
                               .band_lo = count == 1 && base->replicates > 1 ? lo : NULL,
                               .band_hi = count == 1 && base->replicates > 1 ? hi : NULL,
                               .marker = marker};
        if (ok)
            time_chart(f, &c);
        for (int a = 0; a < count; a++)
            free(mean[a]), mean[a] = NULL;
    }
    free(lo);
    free(hi);
    free(x);
    fputs("</section>\n", f);
}

/* A calibration trace (calibrate -o OUT writes OUT.h5), read whole and
 * checked before anything is drawn: shapes, lengths and types of every
 * dataset used, the text attributes as one UTF-8 string each. */
struct calibration_trace {
    char method[65];
    char *labels;
    int rows, n, has_errors, has_band, complete;
    double *sim, *obs, *objective, *error, *inside, *band;
    int *generation, *role;
};

static void calibration_free(struct calibration_trace *t)
{
    free(t->labels);
    free(t->sim);
    free(t->obs);
    free(t->objective);
    free(t->error);
    free(t->inside);
    free(t->band);
    free(t->generation);
    free(t->role);
    memset(t, 0, sizeof *t);
}

/* Both datasets of an optional pair, or neither. */
static int optional_pair(const struct mig_h5_source *src, const char *a, const char *b, int *has)
{
    int x = H5Lexists(src->file, a, H5P_DEFAULT) > 0, y = H5Lexists(src->file, b, H5P_DEFAULT) > 0;
    *has = x && y;
    if (x == y)
        return 0;
    char what[200];
    snprintf(what, sizeof what, "no variable '%s' beside '%s'", x ? b : a, x ? a : b);
    return mig_h5_refuse(src, what);
}

/* A rank-2 dataset of exactly rows x columns numbers. */
static int read_matrix(const struct mig_h5_source *src, const char *name, int rows, int columns,
                       double *out)
{
    hsize_t dims[2];
    int status = mig_h5_require_shape(src, name, 2, 1, 1u << 24, dims);
    if (status == 0 && (dims[0] != (hsize_t)rows || dims[1] != (hsize_t)columns)) {
        char what[200];
        snprintf(what, sizeof what, "'%s' has %llu x %llu values, expected %d x %d", name,
                 (unsigned long long)dims[0], (unsigned long long)dims[1], rows, columns);
        status = mig_h5_refuse(src, what);
    }
    return status < 0 ? status
                      : mig_h5_require_numbers(src, name, H5T_NATIVE_DOUBLE,
                                               (size_t)rows * (size_t)columns, out);
}

/* A rank-1 dataset of exactly `count` numbers. */
static int read_vector(const struct mig_h5_source *src, const char *name, hid_t type, int count,
                       void *out)
{
    hsize_t dims[1];
    int status = mig_h5_require_shape(src, name, 1, 0, 1u << 24, dims);
    return status < 0 ? status : mig_h5_require_numbers(src, name, type, (size_t)count, out);
}

static int calibration_read_file(struct calibration_trace *t, const char *path, hid_t file)
{
    struct mig_h5_source src = {file, path, "a calibration trace"};
    char *method = NULL, what[200];
    hsize_t dims[2];
    int status;
    if ((status = mig_h5_require_text(&src, "method", 64, 0, &method)) < 0)
        return status;
    snprintf(t->method, sizeof t->method, "%s", method);
    free(method);
    if (strcmp(t->method, "abc-smc") != 0 && strcmp(t->method, "nelder-mead") != 0) {
        snprintf(what, sizeof what, "its method is '%s'", t->method);
        return mig_h5_refuse(&src, what);
    }
    if ((status = mig_h5_require_text(&src, "target_labels", 1u << 20, 1, &t->labels)) < 0 ||
        (status = mig_h5_require_shape(&src, "simulated", 2, 1, 1u << 24, dims)) < 0)
        return status;
    if (dims[1] > 4096)
        return mig_h5_refuse(&src, "'simulated' has more than 4096 targets");
    int rows = t->rows = (int)dims[0], n = t->n = (int)dims[1];
    size_t cells = (size_t)rows * (size_t)n;
    t->sim = malloc(cells * sizeof *t->sim);
    t->obs = malloc(4 * (size_t)n * sizeof *t->obs);
    t->objective = malloc((size_t)rows * sizeof *t->objective);
    t->generation = malloc((size_t)rows * sizeof *t->generation);
    t->error = malloc(cells * sizeof *t->error);
    t->inside = malloc(cells * sizeof *t->inside);
    t->role = calloc((size_t)n, sizeof *t->role);
    t->band = calloc(2 * (size_t)n, sizeof *t->band);
    if (!t->sim || !t->obs || !t->objective || !t->generation || !t->error || !t->inside ||
        !t->role || !t->band)
        return mig_fail(MIG_ENOMEM, "out of memory");
    /* Newer traces hold each row's standardised errors and inside flags as
     * run and calibrate computed them (with the simulated sampling error),
     * each target's role, how many generations are complete, and the
     * posterior predictive 90% band of each observation (--predictive). */
    if ((status = mig_h5_require_numbers(&src, "simulated", H5T_NATIVE_DOUBLE, cells, t->sim)) <
            0 ||
        (status = read_matrix(&src, "target_observed", 4, n, t->obs)) < 0 ||
        (status = read_vector(&src, "objective", H5T_NATIVE_DOUBLE, rows, t->objective)) < 0 ||
        (status = read_vector(&src, "generation", H5T_NATIVE_INT, rows, t->generation)) < 0 ||
        (status = optional_pair(&src, "error", "inside", &t->has_errors)) < 0 ||
        (t->has_errors && ((status = read_matrix(&src, "error", rows, n, t->error)) < 0 ||
                           (status = read_matrix(&src, "inside", rows, n, t->inside)) < 0)) ||
        (H5Lexists(file, "target_role", H5P_DEFAULT) > 0 &&
         (status = read_vector(&src, "target_role", H5T_NATIVE_INT, n, t->role)) < 0) ||
        (status = optional_pair(&src, "predictive_q05", "predictive_q95", &t->has_band)) < 0 ||
        (t->has_band &&
         ((status = read_vector(&src, "predictive_q05", H5T_NATIVE_DOUBLE, n, t->band)) < 0 ||
          (status = read_vector(&src, "predictive_q95", H5T_NATIVE_DOUBLE, n, t->band + n)) < 0)))
        return status;
    t->complete = -1;
    if (H5Aexists(file, "complete_generations") > 0 &&
        mig_h5_number_attribute(file, "complete_generations", H5T_NATIVE_INT, &t->complete) < 0)
        return mig_h5_refuse(&src, "the attribute 'complete_generations' is not one number");
    return 0;
}

struct trace_request {
    const char *path;
    void *trace;
};

static int calibration_read(void *arg)
{
    struct trace_request *q = arg;
    struct calibration_trace *t = q->trace;
    calibration_free(t);
    hid_t file;
    int status = mig_h5_open(q->path, "a calibration trace", &file);
    if (status < 0)
        return status;
    status = calibration_read_file(t, q->path, file);
    H5Fclose(file);
    if (status < 0)
        calibration_free(t);
    return status;
}

/* The calibration's fit: each target's standardised error, observed at 0
 * with its 90% band, simulated as a point (Nelder-Mead: the best
 * evaluation) or an interval over the last generation's particles. The
 * trace is read first in a child process (h5safe.h). */
static int calibration(FILE *f, const char *path)
{
    struct calibration_trace t = {0};
    struct trace_request q = {path, &t};
    int status = mig_h5_guarded(calibration_read, &q, path, "the calibration trace");
    if (status < 0)
        return status;
    const char *method = t.method;
    static char labels[1 << 20];
    snprintf(labels, sizeof labels, "%s", t.labels);
    int rows = t.rows, n = t.n, has_errors = t.has_errors, has_band = t.has_band;
    int complete = t.complete, *generation = t.generation, *role = t.role;
    double *sim = t.sim, *obs = t.obs, *objective = t.objective, *band = t.band;
    double *stored_error = t.error, *stored_inside = t.inside;
    if (status == 0) {
        int best = 0, last = 0;
        for (int i = 0; i < rows; i++) {
            best = objective[i] < objective[best] ? i : best;
            last = generation[i] > last ? generation[i] : last;
        }
        if (complete >= 1) /* a generation cut off by the budget is not the posterior */
            last = complete - 1;
        int height = 70 + 22 * n + 50;
        fputs("<section><h2>Calibration fit</h2>\n", f);
        svg_open(f, 860, height, "calibration", "Fit of the calibration to its targets",
                 "For each target (with its role: fit, validate = held out, input = a parameter "
                 "read back), the standardised error as calibrate computes it (simulated minus "
                 "observed over the combined standard deviation): the grey band is the 90% "
                 "interval; points are the best evaluation (Nelder-Mead) and bars the range "
                 "over the last complete generation's particles (ABC-SMC); green inside, "
                 "vermillion outside; a thin blue line, where the trace has one, is the "
                 "posterior predictive 90% band of the observation (calibrate --predictive).");
        struct plot p = {f, 330, 40, 440, 22.0 * n, -4, 4, 0, 1};
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"band\"/>\n",
                px(&p, -1.645), p.top, px(&p, 1.645) - px(&p, -1.645), p.height);
        for (int v = -4; v <= 4; v++)
            fprintf(f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/><text "
                    "x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%d</text>\n",
                    px(&p, v), px(&p, v), p.top, p.top + p.height, px(&p, v), p.top + p.height + 16,
                    v);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" class=\"axis-label\" text-anchor=\"middle\">"
                "standardised error (simulated minus observed, in standard deviations)</text>\n",
                p.left + p.width / 2, p.top + p.height + 34);
        char *label = labels;
        for (int k = 0; k < n; k++) {
            char *next = strchr(label, '\n');
            if (next)
                *next = '\0';
            double sd = obs[3 * n + k], value = obs[k], lo = obs[n + k], hi = obs[2 * n + k];
            double zmin = INFINITY, zmax = -INFINITY;
            int rows_used = 0, rows_inside = 0;
            for (int i = 0; i < rows; i++)
                if (strcmp(method, "abc-smc") == 0 ? generation[i] == last : i == best) {
                    double x = sim[(size_t)i * n + k];
                    /* Ranges and bounds are met anywhere inside them. */
                    double z = has_errors      ? stored_error[(size_t)i * n + k]
                               : !isnan(value) ? (x - value) / sd
                               : x < lo        ? (x - lo) / sd
                               : x > hi        ? (x - hi) / sd
                                               : 0;
                    zmin = fmin(zmin, z), zmax = fmax(zmax, z);
                    rows_used++;
                    rows_inside +=
                        has_errors ? stored_inside[(size_t)i * n + k] > 0.5 : fabs(z) <= 1.645;
                }
            /* Inside: the best evaluation is, or most of the particles are. */
            int inside = 2 * rows_inside > rows_used;
            double y = p.top + 22 * k + 11;
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">",
                    p.left - 8, y + 4);
            char shown[64];
            static const char *const role_names[] = {"fit", "validate", "input"};
            snprintf(shown, sizeof shown, "[%s] %.40s%s",
                     role[k] >= 0 && role[k] <= 2 ? role_names[role[k]] : "fit",
                     *label ? label : "target", strlen(label) > 40 ? "..." : "");
            escaped(f, shown);
            fputs("</text>\n", f);
            double a = fmax(fmin(zmin, 4), -4), b = fmax(fmin(zmax, 4), -4);
            fprintf(f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"4\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
                    "<title>standardised error %.2f to %.2f (%s)</title></circle>\n",
                    px(&p, a) - 1, px(&p, b) + 1, y, y, inside ? "#009E73" : "#D55E00",
                    px(&p, (a + b) / 2), y, inside ? "#009E73" : "#D55E00", zmin, zmax,
                    inside ? "inside" : "outside");
            if (has_band && isfinite(band[k]) && isfinite(band[n + k])) {
                double z[2];
                for (int e = 0; e < 2; e++) { /* standardised as the old traces' errors */
                    double x = band[e * n + k];
                    z[e] = !isnan(value) ? (x - value) / sd
                           : x < lo      ? (x - lo) / sd
                           : x > hi      ? (x - hi) / sd
                                         : 0;
                    z[e] = fmax(fmin(z[e], 4), -4);
                }
                fprintf(f,
                        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#0072B2\" stroke-width=\"2\"><title>posterior predictive "
                        "90%% band of the observation: %.4g to %.4g</title></line>\n",
                        px(&p, z[0]), px(&p, z[1]) + 1, y + 7, y + 7, band[k], band[n + k]);
            }
            label = next ? next + 1 : label + strlen(label);
        }
        const char *names[] = {"inside", "outside", "predictive"};
        const char *colours[] = {"#009E73", "#D55E00", "#0072B2"};
        legend(f, p.left + p.width + 20, p.top, names, has_band ? 3 : 2, colours);
        fputs("</svg>\n</section>\n", f);
    }
    calibration_free(&t);
    return status;
}

/* A sensitivity analysis (migsim sensitivity -o S.h5), read whole and
 * checked before anything is drawn: one name a parameter and one id and
 * role a figure, the indices of one shape (figures x parameters). */
struct sensitivity_trace {
    char method[16];
    char *names, *ids, *roles;
    int K, d, morris, has_spread;
    double *a, *b, *spread;
};

static void sensitivity_free(struct sensitivity_trace *t)
{
    free(t->names);
    free(t->ids);
    free(t->roles);
    free(t->a);
    free(t->b);
    free(t->spread);
    memset(t, 0, sizeof *t);
}

/* How many comma-separated items a list holds (an empty list has none). */
static int items(const char *list)
{
    int n = list[0] != '\0';
    for (const char *c = list; *c; c++)
        n += *c == ',';
    return n;
}

static int sensitivity_read_file(struct sensitivity_trace *t, const char *path, hid_t file)
{
    struct mig_h5_source src = {file, path, "a sensitivity analysis (migsim sensitivity)"};
    char *method = NULL, what[300];
    hsize_t dims[2];
    int status;
    if (H5Aexists(file, "method") <= 0)
        return mig_fail(MIG_EINPUT,
                        "%s: error: not a sensitivity analysis (migsim sensitivity): no "
                        "attribute 'method'",
                        path);
    if ((status = mig_h5_require_text(&src, "method", 15, 0, &method)) < 0)
        return status;
    snprintf(t->method, sizeof t->method, "%s", method);
    free(method);
    if (strcmp(t->method, "sobol") != 0 && strcmp(t->method, "morris") != 0) {
        snprintf(what, sizeof what, "its method is '%s'", t->method);
        return mig_h5_refuse(&src, what);
    }
    t->morris = strcmp(t->method, "morris") == 0;
    const char *first = t->morris ? "mu_star" : "first_order";
    const char *second = t->morris ? "sigma" : "total_order";
    if ((status = mig_h5_require_text(&src, "parameter_names", 8191, 0, &t->names)) < 0 ||
        (status = mig_h5_require_text(&src, "figure_ids", 1u << 20, 0, &t->ids)) < 0 ||
        (status = mig_h5_require_text(&src, "figure_roles", 1u << 20, 0, &t->roles)) < 0 ||
        (status = mig_h5_require_shape(&src, first, 2, 1, 65535, dims)) < 0)
        return status;
    int K = t->K = (int)dims[0], d = t->d = (int)dims[1];
    if (items(t->names) != d || items(t->ids) != K || items(t->roles) != K) {
        snprintf(what, sizeof what,
                 "'%s' has %d figures x %d parameters, the attributes name %d parameters, %d "
                 "figures and %d roles",
                 first, K, d, items(t->names), items(t->ids), items(t->roles));
        return mig_h5_refuse(&src, what);
    }
    t->a = malloc((size_t)K * (size_t)d * sizeof *t->a);
    t->b = malloc((size_t)K * (size_t)d * sizeof *t->b);
    t->spread = calloc((size_t)K, sizeof *t->spread);
    if (!t->a || !t->b || !t->spread)
        return mig_fail(MIG_ENOMEM, "out of memory");
    t->has_spread = H5Lexists(file, "figure_sd", H5P_DEFAULT) > 0;
    if ((status = read_matrix(&src, first, K, d, t->a)) < 0 ||
        (status = read_matrix(&src, second, K, d, t->b)) < 0 ||
        (t->has_spread &&
         (status = read_vector(&src, "figure_sd", H5T_NATIVE_DOUBLE, K, t->spread)) < 0))
        return status;
    return 0;
}

static int sensitivity_read(void *arg)
{
    struct trace_request *q = arg;
    struct sensitivity_trace *t = q->trace;
    sensitivity_free(t);
    hid_t file;
    int status = mig_h5_open(q->path, "a sensitivity analysis", &file);
    if (status < 0)
        return status;
    status = sensitivity_read_file(t, q->path, file);
    H5Fclose(file);
    if (status < 0)
        sensitivity_free(t);
    return status;
}

/* The sensitivity analysis (migsim sensitivity): a grid of figures (rows)
 * by parameters (columns), each cell shaded by the total Sobol' index (or
 * Morris mu* relative to the row's largest) and labelled with its values.
 * The file is read first in a child process (h5safe.h). */
#define MIG_MAX_FREE_REPORT 64
static int sensitivity_chart(FILE *f, const char *path)
{
    struct sensitivity_trace trace = {0};
    struct trace_request q = {path, &trace};
    int status = mig_h5_guarded(sensitivity_read, &q, path, "the sensitivity analysis");
    if (status < 0)
        return status;
    int K = trace.K, d = trace.d, morris = trace.morris, has_spread = trace.has_spread;
    char *names = trace.names, *ids = trace.ids, *roles = trace.roles;
    double *a = trace.a, *b = trace.b, *spread = trace.spread;
    if (status == 0) {
        const char *param[MIG_MAX_FREE_REPORT], *figure[1024], *role[1024];
        int np = 0, nf = 0, nr = 0;
        for (char *t = strtok(names, ","); t && np < MIG_MAX_FREE_REPORT; t = strtok(NULL, ","))
            param[np++] = strchr(t, '.') ? strchr(t, '.') + 1 : t;
        for (char *t = strtok(ids, ","); t && nf < 1024; t = strtok(NULL, ","))
            figure[nf++] = t;
        for (char *t = strtok(roles, ","); t && nr < 1024; t = strtok(NULL, ","))
            role[nr++] = t;
        int rows = K < nf ? K : nf, cols = d < np ? d : np;
        int width = 300 + 110 * cols, height = 90 + 20 * rows;
        fputs("<section><h2>Sensitivity</h2>\n", f);
        svg_open(f, width, height, "sensitivity",
                 morris ? "Morris screening: mu* / sigma of each figure"
                        : "Sobol' indices of each figure: first-order / total",
                 morris ? "For each figure (rows) and free parameter (columns), the mean absolute "
                          "elementary effect mu* and its spread sigma, in the figure's units over "
                          "the parameter's range; the shade is mu* relative to the row's largest."
                        : "For each figure (rows) and free parameter (columns), the share of the "
                          "figure's variance due to the parameter alone (first-order S) and with "
                          "its interactions (total ST); the shade is ST. The figure's sd over "
                          "the runs is beside its name: where it is small against the figure's "
                          "sampling error, the indices describe noise.");
        for (int j = 0; j < cols; j++) {
            fprintf(f, "<text x=\"%d\" y=\"56\" class=\"tick\" text-anchor=\"middle\">",
                    300 + 110 * j + 55);
            escaped(f, param[j]);
            fputs("</text>\n", f);
        }
        for (int k = 0; k < rows; k++) {
            double y = 64 + 20.0 * k, top = 0;
            for (int j = 0; j < cols; j++)
                top = fmax(top, isfinite(a[k * d + j]) ? fabs(a[k * d + j]) : 0);
            fprintf(f, "<text x=\"292\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">", y + 14);
            char label[96];
            if (has_spread)
                snprintf(label, sizeof label, "[%s] %s (sd %.3g)", k < nr ? role[k] : "fit",
                         figure[k], spread[k]);
            else
                snprintf(label, sizeof label, "[%s] %s", k < nr ? role[k] : "fit", figure[k]);
            escaped(f, label);
            fputs("</text>\n", f);
            for (int j = 0; j < cols; j++) {
                double x = a[k * d + j], z = b[k * d + j];
                double shade = morris ? (top > 0 && isfinite(x) ? fabs(x) / top : 0)
                                      : (isfinite(z) ? fmin(fmax(z, 0), 1) : 0);
                char cell[48];
                if (!isfinite(x) && !isfinite(z))
                    snprintf(cell, sizeof cell, "no spread");
                else if (morris)
                    snprintf(cell, sizeof cell, "%.3g / %.3g", x, z);
                else
                    snprintf(cell, sizeof cell, "%.2f / %.2f", x, z);
                fprintf(f,
                        "<rect x=\"%d\" y=\"%.1f\" width=\"108\" height=\"18\" fill=\"#0072B2\" "
                        "fill-opacity=\"%.2f\"/><text x=\"%d\" y=\"%.1f\" class=\"tick\" "
                        "text-anchor=\"middle\">%s</text>\n",
                        300 + 110 * j, y + 1, 0.05 + 0.8 * shade, 300 + 110 * j + 54, y + 14, cell);
            }
        }
        fputs("</svg>\n</section>\n", f);
    }
    sensitivity_free(&trace);
    return status;
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;"
    "max-width:920px;color:#1a1a1a;background:#fff;line-height:1.4}"
    "h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;border-bottom:1px solid #ddd;"
    "padding-bottom:4px;margin-top:28px}.meta{color:#555;font-size:.9em}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{flex:1 1 150px;"
    "border:1px solid #ddd;border-radius:6px;padding:10px}.value{font-size:1.5em;font-weight:600}"
    ".what{font-size:.85em;color:#444}svg{max-width:100%;height:auto;display:block;"
    "margin:8px 0}.chart-title{font-size:15px;font-weight:600}.tick{font-size:11px;fill:#333}"
    ".axis-label{font-size:12px;fill:#222}.legend{font-size:12px;fill:#222}"
    ".legend-title{font-size:12px;font-weight:600;fill:#222}"
    ".country{font-size:11px;fill:#8a8a8a;letter-spacing:2px}.map-label{font-size:11px;fill:#111;"
    "paint-order:stroke;stroke:#fff;stroke-width:2.5px}."
    "origin{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}"
    ".grid{stroke:#e3e3e3;stroke-width:1}.axis{stroke:#555;stroke-width:1}"
    ".tick-line{stroke:#555}.band{fill:#999;fill-opacity:.25}.whisker{stroke:#000;"
    "stroke-width:2}.observed{fill:#fff;stroke:#000;stroke-width:2}.marker{stroke:#000;"
    "stroke-dasharray:5,4}footer{margin-top:32px;font-size:.8em;color:#555}"
    "table.options{border-collapse:collapse;width:100%;font-size:.9em;margin:12px 0}"
    ".options th,.options td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:right;"
    "vertical-align:top}.options th:first-child,.options td:first-child{text-align:left}"
    ".options th{font-weight:600;background:#f5f5f5}.delta{color:#444;font-size:.9em}"
    ".swatch{display:inline-block;width:10px;height:10px;margin-right:6px}"
    ".options td:nth-child(2){white-space:nowrap}.options td:first-child{word-break:break-word}";

/* Two runs can be compared when they cover the same dates and labels with
 * the same number of replicates. */
static int same_shape(const struct run_file *a, const struct run_file *b)
{
    return a->runs[0].steps == b->runs[0].steps && a->runs[0].start == b->runs[0].start &&
           a->replicates == b->replicates && a->labels.origins == b->labels.origins &&
           a->labels.regions == b->labels.regions && strcmp(a->seed, b->seed) == 0 &&
           a->replicate_index == b->replicate_index;
}

int mig_report_write(const struct report_options *o)
{
    struct run_file run = {0}, alts[MIG_REPORT_MAX_COMPARE];
    int loaded = 0, count = o->compare_count;
    memset(alts, 0, sizeof alts);
    if (count < 0 || count > MIG_REPORT_MAX_COMPARE)
        return mig_fail(MIG_EINPUT, "error: at most %d runs to compare, found %d",
                        MIG_REPORT_MAX_COMPARE, count);
    int status = mig_reader_load(&run, o->run);
    if (status < 0)
        return status;
    for (; loaded < count; loaded++) {
        if ((status = mig_reader_load(&alts[loaded], o->compare[loaded])) < 0)
            goto done;
        if (!same_shape(&alts[loaded], &run)) {
            loaded++;
            status = mig_fail(MIG_EINPUT,
                              "%s: error: differs from %s in its dates, dimensions, seed or "
                              "replicates; expected runs of one shape",
                              o->compare[loaded - 1], o->run);
            goto done;
        }
    }
    char temp[4200];
    if ((status = mig_files_temp_begin(o->output, temp, sizeof temp)) < 0)
        goto done;
    FILE *f = fopen(temp, "w");
    if (!f) {
        status = mig_fail(MIG_EIO, "%s: error: cannot write the report", o->output);
        goto done;
    }
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>migsim report: ");
    escaped(f, run.scenario_name);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    header(f, &run);
    headline(f, &run);
    if (count)
        comparison(f, &run, alts, count);
    stock_chart(f, &run);
    fputs("<section><h2>Map</h2>\n", f);
    map_chart(f, &run);
    fputs("</section>\n", f);
    drivers_chart(f, &run);
    remittances_chart(f, &run);
    sectors_chart(f, &run);
    if (o->calibration)
        status = calibration(f, o->calibration);
    if (o->sensitivity && status == 0)
        status = sensitivity_chart(f, o->sensitivity);
    fprintf(f, "<footer>Made by migsim %s from ", run.version);
    escaped(f, o->run);
    for (int i = 0; i < count; i++) {
        fputs(i ? ", " : " against ", f);
        escaped(f, o->compare[i]);
    }
    fputs(". Colours: Okabe-Ito palette; climate stress: a yellow-green-purple scale.</footer>\n"
          "</body>\n</html>\n",
          f);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        if (status == 0)
            status = mig_fail(MIG_EIO, "%s: error: cannot write the report", o->output);
    }
    if (status == 0 && rename(temp, o->output) < 0)
        status = mig_fail(MIG_EIO, "%s: error: cannot write the report", o->output);
    if (status < 0)
        remove(temp);
    mig_files_temp_end(temp);
done:
    mig_reader_free(&run);
    for (int i = 0; i < loaded; i++)
        mig_reader_free(&alts[i]);
    return status;
}
