/* Shared helpers of the unit tests: temporary files and the baseline at a
 * small scale. */
#ifndef MIGSIM_TEST_HELPERS_H
#define MIGSIM_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASELINE MIGSIM_SOURCE_DIR "/scenarios/baseline.yaml"
#define DATA_DIR MIGSIM_SOURCE_DIR "/scenarios/data"

/* A fresh temporary folder; its path is kept in a static buffer. */
static inline const char *test_folder(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/migsim-test-XXXXXX");
    assert_non_null(mkdtemp(path));
    return path;
}

/* Writes text to folder/name and returns the path (static buffer, rotated). */
static inline const char *test_file(const char *folder, const char *name, const char *text)
{
    static char paths[4][512];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 512, "%s/%s", folder, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#endif
