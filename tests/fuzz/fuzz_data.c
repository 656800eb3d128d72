/* libFuzzer: the data folder. The input holds the folder's files, each
 * introduced by a line "=== NAME" (the seeds are the shipped files); a
 * scenario that names the folder is then loaded as `migsim check` does. */
#include "fuzz.h"
#include "migsim/simulation.h"

#include <sys/stat.h>

static const char *const names[] = {"kz_regions.csv", "origins.csv",   "distances.csv",
                                    "sectors.csv",    "age_bands.csv", "survey_targets.csv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static char folder[512];
    if (!ready) {
        fuzz_setup(0);
        snprintf(folder, sizeof folder, "%s/data", fuzz_folder);
        mkdir(folder, 0700);
        const char *scenario = "name: fuzz\n";
        fuzz_file("s.yaml", (const uint8_t *)scenario, strlen(scenario));
        ready = 1;
    }
    /* Missing files are copies of the shipped ones, so one broken file is
     * tried with five good ones. */
    int given[6] = {0};
    const char *text = (const char *)data, *end = text + size;
    while (text < end) {
        const char *mark = memmem(text, (size_t)(end - text), "=== ", 4);
        if (!mark)
            break;
        const char *line_end = memchr(mark, '\n', (size_t)(end - mark));
        if (!line_end)
            break;
        const char *next = memmem(line_end, (size_t)(end - line_end), "\n=== ", 5);
        const char *stop = next ? next + 1 : end;
        for (int i = 0; i < 6; i++)
            if ((size_t)(line_end - mark - 4) == strlen(names[i]) &&
                !memcmp(mark + 4, names[i], strlen(names[i]))) {
                char name[64];
                snprintf(name, sizeof name, "data/%s", names[i]);
                fuzz_file(name, (const uint8_t *)line_end + 1, (size_t)(stop - line_end - 1));
                given[i] = 1;
            }
        text = stop;
    }
    for (int i = 0; i < 6; i++)
        if (!given[i]) {
            char from[512], to[512], command[1200];
            snprintf(from, sizeof from, MIGSIM_SOURCE_DIR "/scenarios/data/%s", names[i]);
            snprintf(to, sizeof to, "%s/%s", folder, names[i]);
            FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
            (void)command;
            if (in && out) {
                char buffer[65536];
                size_t n;
                while ((n = fread(buffer, 1, sizeof buffer, in)) > 0)
                    fwrite(buffer, 1, n, out);
            }
            if (in)
                fclose(in);
            if (out)
                fclose(out);
        }
    char path[512];
    snprintf(path, sizeof path, "%s/s.yaml", fuzz_folder);
    struct simulation sim;
    (void)mig_simulation_load(&sim, path, &(struct overrides){-1, 0});
    mig_simulation_free(&sim);
    return 0;
}
