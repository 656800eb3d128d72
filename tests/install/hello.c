/* A program built against an installed libmigsim with pkg-config: runs a
 * scenario named on the command line into an HDF5 file, then shows that a
 * bad scenario is reported with its file and place. */
#include <migsim/migsim.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hello SCENARIO.yaml OUT.h5 BAD.yaml\n");
        return 2;
    }
    printf("libmigsim %s\n", mig_version());
    const char *set[] = {"migrants.entry_rate=0.3"};
    int status = mig_run(argv[1], set, 1, -1, 2000, 1, 1, argv[2], "hello", NULL, NULL);
    if (status < 0) {
        fprintf(stderr, "hello: %s\n", mig_strerror());
        return mig_exit_code(status);
    }
    printf("wrote %s\n", argv[2]);
    status = mig_run(argv[3], NULL, 0, -1, 2000, 1, 1, argv[2], "hello", NULL, NULL);
    printf("bad scenario: status %d, exit %d: %s\n", status, mig_exit_code(status),
           mig_strerror());
    return status == -2 && strstr(mig_strerror(), ": error: ") ? 0 : 1;
}
