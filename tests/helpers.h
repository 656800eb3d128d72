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

static char test_folders[16][64];

/* Removes the folders test_folder() made. */
static int test_folder_count;

static inline void test_remove_folders(void)
{
    for (int i = 0; i < test_folder_count; i++) {
        char command[160];
        snprintf(command, sizeof command, "rm -rf '%.64s'", test_folders[i]);
        if (system(command) != 0)
            fprintf(stderr, "could not remove %s\n", test_folders[i]);
    }
}

/* A fresh temporary folder, removed when the test program ends. */
static inline const char *test_folder(void)
{
    assert_true(test_folder_count < 16);
    char *path = test_folders[test_folder_count];
    snprintf(path, 64, "/tmp/migsim-test-XXXXXX");
    assert_non_null(mkdtemp(path));
    if (test_folder_count++ == 0)
        atexit(test_remove_folders);
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
