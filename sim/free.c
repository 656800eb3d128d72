/* Free parameters: parsing NAME[:lo:hi] against the parameter table, and
 * setting their values in a scenario. */
#include "free.h"
#include "migsim/error.h"
#include "migsim/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int mig_free_parse(const char *text, const char *option, struct free_parameter *f)
{
    memset(f, 0, sizeof *f);
    char name[128];
    double lo = NAN, hi = NAN;
    int n = 0;
    if (sscanf(text, "%127[^:]%n", name, &n) != 1)
        return mig_fail(MIG_EINPUT, "error: %s expects NAME[:lo:hi], found '%s'", option, text);
    int end = 0;
    if (text[n] == ':' &&
        (sscanf(text + n, ":%lf:%lf%n", &lo, &hi, &end) != 2 || text[n + end] || !(lo < hi)))
        return mig_fail(MIG_EINPUT, "error: %s %s: expected NAME:lo:hi with lo < hi", option, text);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->param = mig_scenario_param(name);
    if (!f->param) { /* group.param.CODE names one origin of a by-origin parameter */
        char *dot = strrchr(name, '.');
        if (dot) {
            *dot = '\0';
            const struct mig_param *p = mig_scenario_param(name);
            if (p && p->type == MIG_PARAM_BY_ORIGIN && strlen(dot + 1) < MIG_CODE_LEN) {
                f->param = p;
                strcpy(f->code, dot + 1);
            }
        }
    }
    if (!f->param)
        return mig_fail(MIG_EINPUT, "error: %s: unknown parameter '%s' (see `migsim params`)",
                        option, f->name);
    if (f->param->type == MIG_PARAM_BY_ORIGIN && !f->code[0])
        return mig_fail(MIG_EINPUT, "error: %s %s: name one origin, as %s.CODE", option, f->name,
                        f->name);
    if (f->param->type != MIG_PARAM_REAL && f->param->type != MIG_PARAM_INT &&
        f->param->type != MIG_PARAM_BY_ORIGIN)
        return mig_fail(MIG_EINPUT, "error: %s %s: only numeric parameters can be varied", option,
                        f->name);
    f->lo = isnan(lo) ? f->param->lo : lo;
    f->hi = isnan(hi) ? f->param->hi : hi;
    if (f->lo < f->param->lo || f->hi > f->param->hi)
        return mig_fail(MIG_EINPUT, "error: %s %s: bounds [%g, %g] leave the parameter's [%g, %g]",
                        option, f->name, f->lo, f->hi, f->param->lo, f->param->hi);
    return 0;
}

int mig_free_check(const struct free_parameter *f, int n, const char *option)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(f[i].name, f[j].name) == 0)
                return mig_fail(MIG_EINPUT, "error: %s %s is given twice", option, f[i].name);
    return 0;
}

int mig_free_check_origins(const struct free_parameter *f, int n, const struct world *w,
                           const char *option)
{
    for (int i = 0; i < n; i++)
        if (f[i].code[0] && mig_world_origin(w, f[i].code) < 0)
            return mig_fail(MIG_EINPUT, "error: %s %s: unknown origin code '%s'", option,
                            f[i].name, f[i].code);
    return 0;
}

double *mig_free_slot(struct scenario *sc, const struct free_parameter *f)
{
    void *field = (char *)sc + f->param->offset;
    if (f->param->type != MIG_PARAM_BY_ORIGIN)
        return field;
    struct mig_by_origin *v = field;
    for (int i = 0; i < v->count; i++)
        if (strcmp(v->code[i], f->code) == 0)
            return &v->value[i];
    if (v->count == MIG_MAX_ORIGINS)
        return &v->all;
    strcpy(v->code[v->count], f->code);
    v->value[v->count] = v->all;
    return &v->value[v->count++];
}

void mig_free_apply(struct scenario *sc, const struct free_parameter *f, int n, const double *theta)
{
    for (int i = 0; i < n; i++)
        *mig_free_slot(sc, &f[i]) = f[i].param->type == MIG_PARAM_INT ? round(theta[i]) : theta[i];
}
