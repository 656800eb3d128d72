/* Checkpoints in HDF5. Arrays are stored in their native types; the few
 * structures (aggregates, snapshots) as bytes, which is safe because a
 * checkpoint is only ever read back by the same migsim version. A 64-bit
 * FNV-1a checksum over everything stored catches damage HDF5 would not. */
#include "migsim/checkpoint.h"
#include "migsim/error.h"
#include "migsim/comm.h"
#include "migsim/date.h"
#include "migsim/digest.h"
#include "migsim/files.h"
#include "h5safe.h"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif

#define SIGNATURE "migsim checkpoint 1"

struct blob {
    const char *name;
    void *data;
    size_t count, size; /* elements and bytes per element */
    hid_t type;         /* native type; bytes when H5T_NATIVE_UCHAR and size > 1 */
    size_t stride;      /* bytes from one element to the next: a field of records; 0 when packed */
};

/* A field of the migrants' records, stored as its own array (as the
 * residents' two are). */
#define MIGRANT_FIELD(field, type)                                                                 \
    {#field, (char *)(p->migrant + mb) + offsetof(struct migrant, field), m,                       \
     sizeof p->migrant->field, type, sizeof(struct migrant)}

/* A blob's elements, packed, to be written: its own data, or a copy into
 * *buffer (to be freed) when it is a field of records. NULL when out of
 * memory. */
static void *packed(const struct blob *b, void **buffer)
{
    *buffer = NULL;
    if (!b->stride)
        return b->data;
    char *out = malloc(b->count ? b->count * b->size : 1);
    for (size_t i = 0; out && i < b->count; i++)
        memcpy(out + i * b->size, (const char *)b->data + i * b->stride, b->size);
    return *buffer = out;
}

/* Packed elements back into a blob that is a field of records. */
static void unpack(const struct blob *b, const void *from)
{
    for (size_t i = 0; i < b->count; i++)
        memcpy((char *)b->data + i * b->stride, (const char *)from + i * b->size, b->size);
}

/* Everything a checkpoint holds, in a fixed order. */
static int blobs(const struct engine *e, struct blob *out)
{
    const struct population *p = e->pop;
    const struct stats *s = e->stats;
    /* A rank holds (and writes) only its own range of agents; a single
     * rank's range is every agent. */
    size_t mb = p->migrant_begin, rb = p->resident_begin;
    size_t m = p->migrant_end - mb, r = p->resident_end - rb, n = 0;
    struct blob list[] = {
        MIGRANT_FIELD(origin, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(area, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(region, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(sector, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(state, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(traits, H5T_NATIVE_UCHAR),
        MIGRANT_FIELD(skill, H5T_NATIVE_FLOAT),
        MIGRANT_FIELD(remit_share, H5T_NATIVE_FLOAT),
        MIGRANT_FIELD(living_cost, H5T_NATIVE_FLOAT),
        MIGRANT_FIELD(arrived, H5T_NATIVE_INT32),
        MIGRANT_FIELD(last_visit, H5T_NATIVE_INT32),
        MIGRANT_FIELD(until, H5T_NATIVE_INT32),
        {"resident_region", &p->resident[rb].region, r, 1, H5T_NATIVE_UCHAR, sizeof *p->resident},
        {"resident_person", &p->resident[rb].person, r, 1, H5T_NATIVE_UCHAR, sizeof *p->resident},
        {"residents_now", s->residents_now, (size_t)s->regions, sizeof(int64_t), H5T_NATIVE_INT64, 0},
        {"aggregates", (void *)&e->aggregates, sizeof e->aggregates, 1, H5T_NATIVE_UCHAR, 0},
        {"snapshots", (void *)s->snapshot, sizeof s->snapshot, 1, H5T_NATIVE_UCHAR, 0},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        out[n++] = list[i];
    size_t count;
    const struct mig_series *series = mig_stats_series(&count);
    for (size_t i = 0; i < count; i++)
        out[n++] =
            (struct blob){series[i].name, *(double *const *)((const char *)s + series[i].offset),
                          (size_t)s->steps * mig_stats_series_width(s, &series[i]), sizeof(double),
                          H5T_NATIVE_DOUBLE, 0};
    return (int)n;
}

static uint64_t checksum(const struct blob *list, int n, int32_t step, int snapshots)
{
    uint64_t hash = MIG_DIGEST_START;
    hash = mig_digest(hash, &step, sizeof step);
    hash = mig_digest(hash, &snapshots, sizeof snapshots);
    for (int i = 0; i < n; i++) {
        if (!list[i].stride) {
            hash = mig_digest(hash, list[i].data, list[i].count * list[i].size);
            continue;
        }
        for (size_t k = 0; k < list[i].count; k++) /* the same as over the packed bytes */
            hash = mig_digest(hash, (const char *)list[i].data + k * list[i].stride, list[i].size);
    }
    return hash;
}

int mig_checkpoint_write(const char *path, const struct engine *e)
{
    char temp[4200];
    int status = mig_files_temp_begin(path, temp, sizeof temp);
    if (status < 0)
        return status;
    struct blob list[64];
    int n = blobs(e, list);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        mig_files_temp_end(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot create the checkpoint", path);
    }
    char *parameters = mig_scenario_resolved_text(e->sc, true);
    int ok = parameters != NULL;
    for (int i = 0; ok && i < n; i++) {
        hsize_t count =
            (hsize_t)(list[i].count * (list[i].type == H5T_NATIVE_UCHAR ? list[i].size : 1));
        hid_t space = H5Screate_simple(1, &count, NULL);
        hid_t ds = space >= 0 ? H5Dcreate2(file, list[i].name, list[i].type, space, H5P_DEFAULT,
                                           H5P_DEFAULT, H5P_DEFAULT)
                              : -1;
        void *buffer, *data = packed(&list[i], &buffer);
        ok = ds >= 0 && data &&
             (count == 0 || H5Dwrite(ds, list[i].type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
        free(buffer);
        if (ds >= 0)
            H5Dclose(ds);
        if (space >= 0)
            H5Sclose(space);
    }
    char sum[32], number[32], data[17];
    mig_world_digest(e->w, data);
    snprintf(sum, sizeof sum, "%016llx",
             (unsigned long long)checksum(list, n, e->step, e->stats->snapshots));
    int step = e->step, snapshots = e->stats->snapshots;
    long clamped = e->clamped_steps;
    snprintf(number, sizeof number, "%.0f", e->sc->seed);
    ok =
        ok && H5LTset_attribute_string(file, "/", "signature", SIGNATURE) >= 0 &&
        H5LTset_attribute_string(file, "/", "migsim_version", MIGSIM_VERSION) >= 0 &&
        H5LTset_attribute_string(file, "/", "scenario_text", e->sc->text ? e->sc->text : "") >= 0 &&
        H5LTset_attribute_string(file, "/", "state_parameters", parameters) >= 0 &&
        H5LTset_attribute_string(file, "/", "data_digest", data) >= 0 &&
        H5LTset_attribute_string(file, "/", "seed", number) >= 0 &&
        H5LTset_attribute_string(file, "/", "checksum", sum) >= 0 &&
        H5LTset_attribute_int(file, "/", "step", &step, 1) >= 0 &&
        H5LTset_attribute_int(file, "/", "snapshots", &snapshots, 1) >= 0 &&
        H5LTset_attribute_long(file, "/", "clamped_steps", &clamped, 1) >= 0;
    free(parameters);
    if (H5Fclose(file) < 0)
        ok = 0;
    int fd = ok ? open(temp, O_RDONLY) : -1;
    ok = ok && fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(temp, path) < 0) {
        remove(temp);
        mig_files_temp_end(temp);
        return mig_fail(MIG_EIO, "%s: error: cannot write the checkpoint", path);
    }
    mig_files_temp_end(temp);
    return 0;
}

static int refuse(const char *path, const char *why)
{
    return mig_fail(MIG_EINPUT, "%s: error: cannot resume from this checkpoint: %s", path, why);
}

/* 0 when the file at path can be read, else the error. */
static int readable(const char *path)
{
    if (access(path, R_OK) != 0)
        return mig_fail(MIG_EINPUT, "%s: error: cannot read the checkpoint", path);
    return 0;
}

static char *text_attribute(hid_t file, const char *name)
{
    /* One string of bounded length, whatever a damaged file claims. */
    return mig_h5_text_attribute(file, name, 64u << 20, NULL);
}

static int restore(const char *path, struct engine *e, int branch);

/* Why a checkpoint's scenario text and data digest are not this run's, or
 * NULL. The same files read through another path are the same scenario
 * when the data they read is the same; a checkpoint without a digest (an
 * earlier version's) must name every file by the same path. */
static const char *other_scenario(const struct engine *e, const char *text, const char *data)
{
    const char *mine = e->sc->text ? e->sc->text : "";
    char digest[17];
    if (!data)
        return strcmp(text, mine) == 0 ? NULL
               : mig_scenario_same_text(text, mine)
                   ? "it names the scenario's files by other paths, and an earlier migsim wrote "
                     "it without a digest of its data; resume it from the same folder, "
                     "naming the scenario as it was named then"
                   : "it was written by another scenario";
    if (!mig_scenario_same_text(text, mine))
        return "it was written by another scenario";
    mig_world_digest(e->w, digest);
    return strcmp(data, digest) == 0 ? NULL : "it was written with other data (its digest differs)";
}

/* A survey the figures want before step `step` that the restored run did
 * not take (it was written with other figures): its day, or -1. */
static long missing_survey(const struct stats *s, int step)
{
    for (int i = 0; i < s->wanted_count; i++) {
        bool taken = s->wanted[i] >= s->step_day[step]; /* still to come */
        for (int k = 0; k < s->snapshots && !taken; k++)
            taken =
                s->snapshot[k].day == s->wanted[i] && s->snapshot[k].sample == s->wanted_sample[i];
        if (!taken)
            return s->wanted[i];
    }
    return -1;
}

struct guarded_restore {
    const char *path;
    struct engine *e;
    int branch;
};

static int restore_once(void *arg)
{
    struct guarded_restore *g = arg;
    return restore(g->path, g->e, g->branch);
}

/* A damaged file can crash the HDF5 library itself; the restore runs first
 * in a child process when the state is small enough to be copied there
 * (under 1 GiB; larger states rely on the checks and the checksum alone). */
int mig_checkpoint_restore(const char *path, struct engine *e, int branch)
{
    struct blob list[64];
    int n = blobs(e, list);
    double bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += (double)list[i].count * (double)list[i].size;
    struct guarded_restore g = {path, e, branch};
    if (bytes < (double)(1u << 30))
        return mig_h5_guarded(restore_once, &g, path, "the checkpoint");
    return restore(path, e, branch);
}

static int restore(const char *path, struct engine *e, int branch)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int status = readable(path);
    if (status < 0)
        return status;
    if (H5Fis_hdf5(path) <= 0)
        return refuse(path, "not an HDF5 file (truncated or not a checkpoint)");
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return refuse(path, "the HDF5 file is damaged");
    int step = 0, snapshots = 0;
    long clamped = 0;
    char *signature = text_attribute(file, "signature");
    char *version = text_attribute(file, "migsim_version");
    char *text = text_attribute(file, "scenario_text");
    char *parameters = text_attribute(file, "state_parameters");
    char *sum = text_attribute(file, "checksum");
    char *mine = mig_scenario_resolved_text(e->sc, true);
    char *digest =
        H5Aexists(file, "data_digest") > 0 ? text_attribute(file, "data_digest") : NULL;
    const char *other = NULL;
    if (!signature || strcmp(signature, SIGNATURE) != 0)
        status = refuse(path, "no migsim checkpoint signature");
    else if (!version || strcmp(version, MIGSIM_VERSION) != 0)
        status = refuse(path, "it was written by another migsim version");
    else if (!text || !parameters || !sum || !mine ||
             mig_h5_number_attribute(file, "step", H5T_NATIVE_INT, &step) < 0 ||
             mig_h5_number_attribute(file, "snapshots", H5T_NATIVE_INT, &snapshots) < 0 ||
             mig_h5_number_attribute(file, "clamped_steps", H5T_NATIVE_LONG, &clamped) < 0)
        status = refuse(path, "its attributes are damaged");
    else if (!branch && (other = other_scenario(e, text, digest)) != NULL)
        status = refuse(path, other);
    else if (!branch && strcmp(parameters, mine) != 0)
        status = refuse(path, "it was written with another seed, scale or parameters");
    else if (branch && strcmp(parameters, mine) != 0)
        status = refuse(path, "the scenarios differ in their parameters, not only in events");
    else if (step < 0 || step >= e->stats->steps || snapshots < 0 || snapshots > MIG_MAX_SNAPSHOTS)
        status = refuse(path, "its step is outside the run");
    struct blob list[64];
    int n = blobs(e, list);
    for (int i = 0; status == 0 && i < n; i++) {
        hsize_t dims = 0;
        H5T_class_t cls = H5T_NO_CLASS;
        size_t size = 0;
        /* Rank, length and element size are checked before the read, and
         * the read converts exactly `count` elements (hand-made files: a
         * dataset of as many bytes in smaller elements would otherwise be
         * converted past the end of the buffer). */
        if (mig_h5_shape(file, list[i].name, 1, &dims) != 1 ||
            H5LTget_dataset_info(file, list[i].name, &dims, &cls, &size) < 0 ||
            (cls != H5T_INTEGER && cls != H5T_FLOAT) || dims != (hsize_t)list[i].count ||
            size != list[i].size) {
            char why[160];
            snprintf(why, sizeof why, "'%s' has another length than this scenario's", list[i].name);
            status = refuse(path, why);
            break;
        }
        /* A field of records is read packed, then spread into them. */
        void *buffer = list[i].stride ? malloc(list[i].count ? list[i].count * list[i].size : 1)
                                      : NULL;
        void *data = list[i].stride ? buffer : list[i].data;
        if (!data)
            status = mig_fail(MIG_ENOMEM, "%s: error: out of memory to resume", path);
        else if (mig_h5_numbers(file, list[i].name, list[i].type, list[i].count, data) < 0)
            status = refuse(path, "a dataset cannot be read (truncated?)");
        else if (buffer)
            unpack(&list[i], buffer);
        free(buffer);
    }
    if (status == 0) {
        char computed[32];
        snprintf(computed, sizeof computed, "%016llx",
                 (unsigned long long)checksum(list, n, step, snapshots));
        if (strcmp(computed, sum) != 0)
            status = refuse(path, "its checksum does not match (the file is corrupted)");
    }
    if (status == 0) {
        e->step = step;
        e->stats->snapshots = snapshots;
        e->clamped_steps = clamped;
        long day = missing_survey(e->stats, step);
        if (day >= 0) {
            char date[11], text_why[160];
            mig_date_format(day, date);
            snprintf(text_why, sizeof text_why,
                     "its run took no survey on %s, before its step, which the figures want "
                     "(it was written with other figures)",
                     date);
            status = refuse(path, text_why);
        }
    }
    free(signature);
    free(version);
    free(text);
    free(parameters);
    free(sum);
    free(mine);
    free(digest);
    H5Fclose(file);
    return status;
}

/* ---- checkpoints of runs split over ranks ---- */

#define MANIFEST "migsim checkpoint manifest 1"

/* This rank's file of generation `step`. */
static void rank_file(const char *path, int step, char *out, size_t size)
{
    snprintf(out, size, "%s.step-%d.rank-%d-of-%d", path, step, mig_comm_rank(), mig_comm_size());
}

/* The file this rank wrote or restored last, removed once a newer
 * generation is complete. */
static char previous_file[4300];

/* Every rank learns whether any rank failed, and fails alike. */
static int agree(int status)
{
    int agreed = mig_comm_agree_failure(status);
    if (agreed < 0 && status == 0)
        return mig_fail(agreed, "error: another rank could not write or read its checkpoint "
                                "file (see that rank's message)");
    return agreed; /* a rank that failed keeps its message */
}

static int write_manifest(const char *path, int step)
{
    char temp[4300];
    int status = mig_files_temp_begin(path, temp, sizeof temp);
    if (status < 0)
        return status;
    FILE *f = fopen(temp, "w");
    int ok = f && fprintf(f, "%s\nranks %d\nstep %d\nversion %s\n", MANIFEST, mig_comm_size(), step,
                          MIGSIM_VERSION) > 0;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(temp, path) < 0) {
        remove(temp);
        status = mig_fail(MIG_EIO, "%s: error: cannot write the checkpoint manifest", path);
    }
    mig_files_temp_end(temp);
    return status;
}

int mig_checkpoint_write_ranks(const char *path, const struct engine *e)
{
    if (mig_comm_size() == 1 || !e->pop->split)
        return mig_checkpoint_write(path, e);
    char mine[4300];
    rank_file(path, e->step, mine, sizeof mine);
    int status = agree(mig_checkpoint_write(mine, e));
    if (status == 0)
        status = agree(mig_comm_rank() == 0 ? write_manifest(path, e->step) : 0);
    if (status < 0) { /* the manifest still names the previous, complete generation */
        if (strcmp(mine, previous_file) != 0)
            remove(mine);
        return status;
    }
    if (previous_file[0] && strcmp(previous_file, mine) != 0)
        remove(previous_file);
    snprintf(previous_file, sizeof previous_file, "%s", mine);
    return 0;
}

enum manifest_kind { NOT_MANIFEST, MANIFEST_DAMAGED, MANIFEST_OTHER_VERSION, MANIFEST_OK };

/* What `path` is, and the rank count and step of a sound manifest. */
static enum manifest_kind read_manifest(const char *path, int *ranks, int *step)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NOT_MANIFEST;
    char line[64] = "", version[64] = "";
    enum manifest_kind kind = NOT_MANIFEST;
    if (fgets(line, sizeof line, f) && strncmp(line, MANIFEST, strlen(MANIFEST)) == 0) {
        kind = MANIFEST_DAMAGED;
        if (fscanf(f, "ranks %d\nstep %d\nversion %63s", ranks, step, version) == 3 &&
            *ranks >= 1 && *step >= 0)
            kind = strcmp(version, MIGSIM_VERSION) == 0 ? MANIFEST_OK : MANIFEST_OTHER_VERSION;
    }
    fclose(f);
    return kind;
}

/* Why a run over this many ranks cannot resume from `path`, or NULL. */
static const char *manifest_refusal(const char *path, enum manifest_kind kind, int ranks,
                                    char *text, size_t size)
{
    switch (kind) {
    case NOT_MANIFEST:
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        if (H5Fis_hdf5(path) > 0)
            return "it was written by a single-rank run; resume it without mpirun";
        return "it is neither a checkpoint manifest nor a checkpoint";
    case MANIFEST_DAMAGED:
        return "its manifest is damaged";
    case MANIFEST_OTHER_VERSION:
        return "it was written by another migsim version";
    case MANIFEST_OK:
        break;
    }
    if (ranks == mig_comm_size())
        return NULL;
    snprintf(text, size, "it was written by %d ranks; resume it on as many", ranks);
    return text;
}

int mig_checkpoint_restore_ranks(const char *path, struct engine *e)
{
    int ranks = 0, step = 0;
    enum manifest_kind kind = read_manifest(path, &ranks, &step);
    if (mig_comm_size() == 1 || !e->pop->split) {
        if (kind != NOT_MANIFEST)
            return refuse(path, "it was written by a run over several MPI ranks; resume it with "
                                "mpirun on as many ranks");
        return mig_checkpoint_restore(path, e, 0);
    }
    char text[128], mine[4300] = "";
    int status = readable(path);
    const char *why = status == 0 ? manifest_refusal(path, kind, ranks, text, sizeof text) : NULL;
    if (why)
        status = refuse(path, why);
    else if (status == 0) {
        rank_file(path, step, mine, sizeof mine);
        status = mig_checkpoint_restore(mine, e, 0);
        if (status == 0 && e->step != step) { /* a file of another generation */
            snprintf(text, sizeof text, "it holds step %d, not the manifest's step %d", e->step,
                     step);
            status = refuse(mine, text);
        }
    }
    status = agree(status);
    if (status == 0)
        snprintf(previous_file, sizeof previous_file, "%s", mine);
    return status;
}

int mig_checkpoint_finish(const char *path, int status)
{
    /* Only once every rank knows the output is complete (rank 0 may still
     * be writing it when the others are done), and the manifest before the
     * rank files, so that a kill in between never leaves a manifest naming
     * a removed file. */
    if ((status = agree(status)) < 0)
        return status;
    if (mig_comm_rank() == 0)
        remove(path);
    if ((status = agree(0)) < 0)
        return status;
    if (previous_file[0])
        remove(previous_file);
    previous_file[0] = '\0';
    return 0;
}
