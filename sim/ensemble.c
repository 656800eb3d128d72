/* Joining the members of a job array into one ensemble file. The members
 * hold their series and their figures table; the figures' targets and the
 * routes come from the scenario they ran, re-loaded when its file still
 * holds it, so that the file equals the one `ensemble` writes. */
#include "migsim/ensemble.h"
#include "migsim/error.h"
#include "migsim/output.h"
#include "migsim/reader.h"
#include "migsim/simulation.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int refuse(const char *path, const char *first, const char *why)
{
    return mig_fail(MIG_EINPUT, "%s: error: cannot merge with %s: %s", path, first, why);
}

/* Whether two members ran the same parameters on the same data: the
 * parameters that shape a run, and the data's digest, when both files have
 * one; else every parameter, paths included (older files). */
static bool same_run(const struct run_file *a, const struct run_file *b)
{
    if (!a->data_digest[0] || !b->data_digest[0])
        return strcmp(a->parameters, b->parameters) == 0;
    return strcmp(a->data_digest, b->data_digest) == 0 &&
           mig_scenario_same_state_parameters(a->parameters, b->parameters);
}

static int check_member(const struct run_file *m, const struct run_file *first)
{
    if (strcmp(m->title, "migsim run") != 0 || m->replicate_index < 0 || m->replicates != 1)
        return mig_fail(MIG_EINPUT,
                        "%s: error: not an ensemble member; expected the output of "
                        "`migsim run --replicate K`",
                        m->path);
    if (m == first)
        return 0;
    if (!mig_scenario_same_text(m->scenario_text, first->scenario_text))
        return refuse(m->path, first->path, "it ran another scenario");
    if (!same_run(m, first))
        return refuse(m->path, first->path, "it ran other parameters, seed, scale or data");
    if (strcmp(m->version, first->version) != 0)
        return refuse(m->path, first->path, "it was written by another migsim version");
    if (m->runs[0].steps != first->runs[0].steps || m->labels.regions != first->labels.regions ||
        m->labels.origins != first->labels.origins)
        return refuse(m->path, first->path, "its dimensions differ");
    if (m->replicate_index == first->replicate_index)
        return refuse(m->path, first->path, "both are the same member");
    return 0;
}

/* Files written before the figures' sampling sd and the digests were
 * stored cannot be summarised as an ensemble is (an emulated survey's sd
 * enters the error) nor matched with the scenario's data and figures. */
static bool members_complete(const struct run_file *files, int count)
{
    for (int i = 0; i < count; i++)
        if ((files[i].figures.count && !files[i].figures.sampling_sd) || !files[i].data_digest[0] ||
            !files[i].figures_digest[0])
            return false;
    return true;
}

/* Whether every member ran the first one's figures. */
static bool same_figures(const struct run_file *files, int count)
{
    for (int i = 1; i < count; i++)
        if (strcmp(files[i].figures_digest, files[0].figures_digest) != 0)
            return false;
    return true;
}

/* Re-loads the scenario the members ran from the file their provenance
 * names, with their seed and scale (prov's): 1 when it is the same scenario (its
 * text, resolved parameters, data and figures), 0 when it is not or cannot
 * be read (the file moved or changed), negative when out of memory. */
static int load_scenario(struct simulation *sim, const struct run_file *first,
                         const struct provenance *prov)
{
    struct overrides o = {.seed = prov->seed, .scale = prov->scale};
    int status =
        first->scenario_file[0] ? mig_simulation_load(sim, first->scenario_file, &o) : MIG_EINPUT;
    if (status == MIG_ENOMEM)
        return status;
    const char *text = sim->scenario.text ? sim->scenario.text : "";
    if (status < 0 || !mig_scenario_same_text(text, first->scenario_text))
        return 0;
    char *parameters = mig_scenario_resolved_text(&sim->scenario, false);
    if (!parameters)
        return mig_fail(MIG_ENOMEM, "out of memory");
    bool same = mig_scenario_same_state_parameters(parameters, first->parameters);
    free(parameters);
    char data[17], figures[17];
    mig_world_digest(&sim->world, data);
    mig_targets_digest(&sim->figures, figures);
    /* The members share both digests (checked before). */
    return same && !strcmp(first->data_digest, data) && !strcmp(first->figures_digest, figures);
}

/* The figures over the members in replicate order, summarised as an
 * ensemble summarises its replicates: a member's table holds its own value
 * and sampling sd (a mean over one replicate is that replicate's, exactly). */
static int merged_figures(const struct targets *figures, const struct run_file *files,
                          const int *order, int count, struct figure_result **out)
{
    int n = figures->count;
    struct figure_result *results = calloc((size_t)(n ? n : 1), sizeof *results);
    double *values = calloc((size_t)count * 2, sizeof *values), *sds = values + count;
    if (!results || !values) {
        free(results);
        free(values);
        return mig_fail(MIG_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < count; r++) {
            const struct run_figures *g = &files[order[r]].figures;
            values[r] = g->simulated[i];
            sds[r] = g->sampling_sd[i];
        }
        mig_simulation_figure(&figures->items[i], values, sds, count, &results[i]);
    }
    free(values);
    *out = results;
    return 0;
}

/* Writes the members' runs (in replicate order) as one file: with the
 * figures table and the routes when the scenario they ran is at hand, else
 * without them, with the labels read back from the members and a note. */
static int write_merged(const char *output, const struct run_file *files, const int *order,
                        const struct stats *runs, int count, const struct provenance *prov,
                        char *note, size_t note_size)
{
    const struct run_file *first = &files[0];
    struct simulation sim = {0};
    struct figure_result *results = NULL;
    int same = 0, status;
    char why[1200] = "";
    if (!members_complete(files, count))
        snprintf(why, sizeof why,
                 "a member holds no figure_sampling_sd or digests (an older migsim wrote it)");
    else if (!same_figures(files, count))
        snprintf(why, sizeof why, "the members ran different figures (targets)");
    else if ((same = load_scenario(&sim, first, prov)) == 0)
        snprintf(why, sizeof why, "%s is not the scenario the members ran (moved or changed)",
                 first->scenario_file[0] ? first->scenario_file : "(no scenario file)");
    if (why[0])
        snprintf(note, note_size, "%s; the merged file has no figures table and no routes", why);
    status = same > 0 ? merged_figures(&sim.figures, files, order, count, &results) : same;
    struct provenance merged = *prov; /* the members' digests, of the data and the figures */
    merged.data_digest = first->data_digest[0] ? first->data_digest : NULL;
    merged.figures_digest = same ? first->figures_digest : NULL;
    if (status == 0)
        status =
            same ? mig_output_write(output, &sim.world, runs, count, &sim.figures, results, &merged)
                 : mig_output_write(output, &first->labels, runs, count, NULL, NULL, &merged);
    mig_simulation_free(&sim);
    free(results);
    return status;
}

int mig_ensemble_merge(const char *const *members, int count, const char *output,
                       const char *command_line, char *note, size_t note_size)
{
    snprintf(note, note_size, "%s", "");
    if (count < 2)
        return mig_fail(MIG_EINPUT, "error: merge expects at least two member files");
    struct run_file *files = calloc((size_t)count, sizeof *files);
    struct stats *runs = calloc((size_t)count, sizeof *runs);
    int *order = calloc((size_t)count, sizeof *order), loaded = 0, status = 0;
    if (!files || !runs || !order) {
        status = mig_fail(MIG_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < count && status == 0; i++) {
        if ((status = mig_reader_load(&files[i], members[i])) < 0)
            break;
        loaded++;
        if ((status = check_member(&files[i], &files[0])) < 0)
            break;
        for (int j = 1; j < i && status == 0; j++)
            if (files[j].replicate_index == files[i].replicate_index)
                status = refuse(files[i].path, files[j].path, "both are the same member");
    }
    if (status < 0)
        goto done;
    for (int i = 0; i < count; i++)
        order[i] = i;
    for (int a = 1; a < count; a++) /* by replicate index */
        for (int b = a;
             b > 0 && files[order[b]].replicate_index < files[order[b - 1]].replicate_index; b--) {
            int swap = order[b];
            order[b] = order[b - 1], order[b - 1] = swap;
        }
    for (int i = 0; i < count; i++)
        runs[i] = files[order[i]].runs[0]; /* shallow: the files keep ownership */
    const struct run_file *first = &files[0];
    char seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%s", first->seed);
    struct provenance prov = {
        .title = "migsim run",
        .scenario_name = first->scenario_name,
        .scenario_file = first->scenario_file,
        .scenario_text = first->scenario_text,
        .parameters = first->parameters,
        .seed = strtod(seed_text, NULL),
        .scale = first->scale,
        .command_line = command_line,
        .first_event = first->first_event,
        .threads = 1,
        .ranks = 1,
        .replicate_index = -1,
    };
    status = write_merged(output, files, order, runs, count, &prov, note, note_size);
done:
    for (int i = 0; i < loaded; i++)
        mig_reader_free(&files[i]);
    free(files);
    free(runs);
    free(order);
    return status;
}
