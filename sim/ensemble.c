/* Joining the members of a job array into one ensemble file. */
#include "migsim/ensemble.h"
#include "migsim/error.h"
#include "migsim/output.h"
#include "migsim/reader.h"

#include <stdlib.h>
#include <string.h>

static int refuse(const char *path, const char *first, const char *why)
{
    return mig_fail(MIG_EINPUT, "%s: error: cannot merge with %s: %s", path, first, why);
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
    if (strcmp(m->scenario_text, first->scenario_text) != 0)
        return refuse(m->path, first->path, "it ran another scenario");
    if (strcmp(m->parameters, first->parameters) != 0)
        return refuse(m->path, first->path, "it ran other parameters, seed or scale");
    if (strcmp(m->version, first->version) != 0)
        return refuse(m->path, first->path, "it was written by another migsim version");
    if (m->runs[0].steps != first->runs[0].steps || m->labels.regions != first->labels.regions ||
        m->labels.origins != first->labels.origins)
        return refuse(m->path, first->path, "its dimensions differ");
    if (m->replicate_index == first->replicate_index)
        return refuse(m->path, first->path, "both are the same member");
    return 0;
}

int mig_ensemble_merge(const char *const *members, int count, const char *output,
                       const char *command_line)
{
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
    status = mig_output_write(output, &first->labels, runs, count, NULL, NULL, &prov);
done:
    for (int i = 0; i < loaded; i++)
        mig_reader_free(&files[i]);
    free(files);
    free(runs);
    free(order);
    return status;
}
