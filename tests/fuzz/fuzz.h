/* Shared helpers of the libFuzzer harnesses: each input is written to a
 * file in a private folder (the loaders read files, as users give them). */
#ifndef MIGSIM_FUZZ_H
#define MIGSIM_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_folder[256];

/* A private folder, with `data` linked to the shipped data folder when
 * `with_data` (scenarios can then name it). */
static inline void fuzz_setup(int with_data)
{
    snprintf(fuzz_folder, sizeof fuzz_folder, "/tmp/migsim-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_folder))
        abort();
    if (with_data) {
        char link[512];
        snprintf(link, sizeof link, "%s/data", fuzz_folder);
        if (symlink(MIGSIM_SOURCE_DIR "/scenarios/data", link) != 0)
            abort();
    }
}

/* Writes the input to folder/name; returns the path (static). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_folder, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return path;
}

#endif
