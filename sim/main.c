/* The migsim command line: parses arguments and dispatches; all work is in
 * the library. Exit codes: 0 success, 1 runtime failure, 2 bad input. */
#include "migsim/calibrate.h"
#include "migsim/comm.h"
#include "migsim/compare.h"
#include "migsim/date.h"
#include "migsim/ensemble.h"
#include "migsim/export.h"
#include "migsim/report.h"
#include "migsim/error.h"
#include "migsim/simulation.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif

static const char usage[] =
    "usage: migsim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml [-o FILE.h5] [--seed N] [--threads N] [--scale S]\n"
    "                    [--replicates N | --replicate K] [--quiet]\n"
    "                    [--checkpoint-every PERIOD [--checkpoint CKPT.h5]] [--resume CKPT.h5]\n"
    "                    [--fork-at DATE --branch ALT.yaml [--branch ALT2.yaml ...]]\n"
    "                      run a scenario, print its figures table, write FILE.h5\n"
    "                      (default output/NAME.h5, NAME the scenario file's name);\n"
    "                      replicates use seeds derived from the scenario's; --replicate K\n"
    "                      runs member K of an ensemble (job arrays; see merge);\n"
    "                      PERIOD is N steps, Nd days or Nw weeks; --fork-at runs the\n"
    "                      scenario once to DATE and each branch on from there\n"
    "  check SCENARIO.yaml validate the scenario, its data and figures without running\n"
    "  compare BASE.h5 ALT.h5 [--at DATE] [--by origin|region|sector] [-o DIFF.h5]\n"
    "                      paired differences ALT minus BASE (with 90% intervals over\n"
    "                      replicates); -o writes the differences over time\n"
    "  calibrate SCENARIO.yaml --targets T.yaml [--targets T2.yaml] --free NAME[:lo:hi]...\n"
    "            [--method nelder-mead|abc-smc] [--replicates R] [--budget N]\n"
    "            [--particles N] [--scale S] [--prior OUT.h5] -o OUT\n"
    "                      fit parameters to targets; writes OUT.yaml (the calibrated\n"
    "                      scenario) and OUT.h5 (the trace), prints the fit table\n"
    "  ensemble SCENARIO.yaml --replicates N [-o FILE.h5] [run options]\n"
    "                      replicates in one file, with the mean and 5/50/95% quantiles\n"
    "                      of every series (under MPI, replicates spread over ranks)\n"
    "  merge MEMBER.h5 MEMBER.h5 ... -o ENSEMBLE.h5\n"
    "                      join job-array members (run --replicate K) into an ensemble\n"
    "  report RUN.h5 [--compare ALT.h5 ...] [--calibration CAL.h5] -o REPORT.html\n"
    "                      a self-contained HTML report with charts and a map; each\n"
    "                      --compare run (up to six) is an option shown against RUN\n"
    "  export RUN.h5 -o FILE.xlsx | -o FOLDER --format csv [--compare BASE.h5]\n"
    "                      the run's tables for spreadsheets: tidy series, figures with\n"
    "                      roles, provenance; --compare adds the differences RUN minus BASE\n"
    "  params [--yaml]     every parameter and timeline event: default, bounds, unit,\n"
    "                      meaning; --yaml writes the reference scenario\n"
    "  stats               every named statistic figures can use\n"
    "  bench SCENARIO.yaml [--repeat N] [--threads N] [--scale S]\n"
    "                      time full runs: agent-steps per second, wall time, memory\n"
    "\n"
    "options:\n"
    "  -h, --help          this text\n"
    "  -V, --version       the version\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 bad input\n";

struct options {
    const char *scenario, *output, *second, *at, *by;
    const char *checkpoint, *every, *resume, *fork_at;
    const char *branch[16];
    int branches, replicate;
    struct overrides overrides;
    int threads, quiet, repeat, replicates;
};

static int bad_usage(const char *what)
{
    fprintf(stderr, "migsim: %s\n(see `migsim --help`)\n", what);
    return 2;
}

static int parse_count(const char *text, const char *name, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double x = strtod(text, &end);
    if (!text[0] || *end || errno || !isfinite(x) || x < lo || x > hi) {
        fprintf(stderr, "migsim: %s expects a number in [%g, %g], found '%s'\n", name, lo, hi,
                text);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option long_options[] = {{"output", required_argument, NULL, 'o'},
                                                 {"seed", required_argument, NULL, 's'},
                                                 {"threads", required_argument, NULL, 't'},
                                                 {"scale", required_argument, NULL, 'k'},
                                                 {"repeat", required_argument, NULL, 'r'},
                                                 {"quiet", no_argument, NULL, 'q'},
                                                 {"replicates", required_argument, NULL, 'n'},
                                                 {"replicate", required_argument, NULL, 'R'},
                                                 {"checkpoint", required_argument, NULL, 'C'},
                                                 {"checkpoint-every", required_argument, NULL, 'E'},
                                                 {"resume", required_argument, NULL, 'U'},
                                                 {"fork-at", required_argument, NULL, 'F'},
                                                 {"branch", required_argument, NULL, 'B'},
                                                 {"at", required_argument, NULL, 'a'},
                                                 {"by", required_argument, NULL, 'b'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    memset(opt, 0, sizeof *opt);
    opt->overrides.seed = -1;
    opt->repeat = 5;
    opt->replicates = 1;
    opt->replicate = -1;
    double x;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            opt->output = optarg;
            break;
        case 's':
            if (parse_count(optarg, "--seed", 0, 9007199254740991.0, &x) < 0 || x != floor(x))
                return bad_usage("--seed expects a whole number");
            opt->overrides.seed = x;
            break;
        case 't':
            if (parse_count(optarg, "--threads", 1, 1024, &x) < 0)
                return 2;
            opt->threads = (int)x;
            break;
        case 'k':
            if (parse_count(optarg, "--scale", 0.01, 100000, &x) < 0)
                return 2;
            opt->overrides.scale = x;
            break;
        case 'r':
            if (parse_count(optarg, "--repeat", 1, 1000, &x) < 0)
                return 2;
            opt->repeat = (int)x;
            break;
        case 'n':
            if (parse_count(optarg, "--replicates", 1, 10000, &x) < 0 || x != floor(x))
                return bad_usage("--replicates expects a whole number from 1");
            opt->replicates = (int)x;
            break;
        case 'q':
            opt->quiet = 1;
            break;
        case 'a':
            opt->at = optarg;
            break;
        case 'R':
            if (parse_count(optarg, "--replicate", 0, 4e9, &x) < 0 || x != floor(x))
                return bad_usage("--replicate expects a whole number from 0");
            opt->replicate = (int)x;
            break;
        case 'C':
            opt->checkpoint = optarg;
            break;
        case 'E':
            opt->every = optarg;
            break;
        case 'U':
            opt->resume = optarg;
            break;
        case 'F':
            opt->fork_at = optarg;
            break;
        case 'B':
            if (opt->branches == 16)
                return bad_usage("at most 16 --branch scenarios");
            opt->branch[opt->branches++] = optarg;
            break;
        case 'b':
            opt->by = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            return bad_usage("unknown option");
        }
    }
    if (optind < argc)
        opt->scenario = argv[optind++];
    if (optind < argc)
        opt->second = argv[optind++];
    if (optind < argc)
        return bad_usage("too many arguments");
    if (opt->threads)
        omp_set_num_threads(opt->threads);
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct progress {
    double started;
    double agents;
};

static void show_progress(void *user, int step, int steps, long day)
{
    struct progress *p = user;
    double elapsed = now_seconds() - p->started;
    double eta = step > 0 ? elapsed * (steps - step) / step : 0;
    char date[11];
    mig_date_format(day, date);
    int width = 30, filled = steps ? width * step / steps : width;
    fprintf(stderr, "\r[%.*s%.*s] %d/%d steps  %s  %.1fM agents  %.1fs elapsed  ETA %.1fs ", filled,
            "##############################", width - filled, "..............................",
            step, steps, date, p->agents / 1e6, elapsed, eta);
    if (step == steps)
        fputc('\n', stderr);
}

/* The whole command line, for the output's provenance. */
static char command_line[4096];

static void join_arguments(int argc, char **argv)
{
    size_t used = 0;
    for (int i = 0; i < argc && used + 1 < sizeof command_line; i++)
        used += (size_t)snprintf(command_line + used, sizeof command_line - used, "%s%s",
                                 i ? " " : "", argv[i]);
}

/* output/NAME.h5, NAME the scenario file's name without its extension. */
static void default_output(const char *scenario, char *out, size_t size)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", scenario);
    char *name = basename(copy);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    snprintf(out, size, "output/%s.h5", name);
}

static int check_output_folder(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    const char *folder = dirname(copy);
    if (access(folder, W_OK) != 0) {
        fprintf(stderr, "migsim: %s: error: cannot write to folder %s: %s\n", path, folder,
                strerror(errno));
        return 2;
    }
    return 0;
}

/* Reports a library error once and gives its exit code. */
static int report_error(int status)
{
    if (mig_comm_rank() == 0) /* every rank meets the same error; one reports it */
        fprintf(stderr, "migsim: %s\n", mig_strerror());
    return mig_exit_code(status);
}

static int fail(struct simulation *sim, int status)
{
    mig_simulation_free(sim);
    return report_error(status);
}

/* A period as steps: N (steps), Nd (days) or Nw (weeks). */
static int period_steps(const char *text, double step_days)
{
    char *end = NULL;
    double x = strtod(text, &end);
    if (!text[0] || !(x > 0) || !isfinite(x))
        return -1;
    double days = *end == 'd' ? x : *end == 'w' ? 7 * x : *end == '\0' ? x * step_days : -1;
    if (days <= 0 || (*end && end[1]))
        return -1;
    int steps = (int)ceil(days / step_days - 1e-9);
    return steps < 1 ? 1 : steps;
}

static int finish(struct simulation *sim, const struct options *opt, const char *output)
{
    int outside = 0, status;
    if ((status = mig_simulation_figures(sim, &outside)) < 0 ||
        (status = mig_simulation_write(sim, output, command_line)) < 0)
        return status;
    if (!opt->quiet && mig_comm_rank() == 0) {
        mig_simulation_print_summary(sim, stdout);
        printf("wrote %s\n", output);
    }
    return 0;
}

/* --fork-at DATE --branch ALT.yaml...: the scenario once to DATE, then to
 * its end and each branch from there, written beside the scenario's output. */
static int run_forks(struct simulation *sim, const struct options *opt, const char *output,
                     struct progress *bar, bool show)
{
    long day;
    if (!mig_date_parse(opt->fork_at, &day))
        return mig_fail(MIG_EINPUT, "error: --fork-at expects a date YYYY-MM-DD, found '%s'",
                        opt->fork_at);
    int fork = mig_simulation_step_at(sim, day);
    if (fork <= 0 || fork >= sim->runs[0].steps)
        return mig_fail(MIG_EINPUT, "error: --fork-at %s is not inside the run", opt->fork_at);
    char fork_path[4200], copy[4096];
    snprintf(fork_path, sizeof fork_path, "%s.fork-%ld.h5", output, (long)getpid());
    int status = mig_simulation_run_forking(sim, fork, fork_path, show ? show_progress : NULL, bar);
    if (status == 0)
        status = finish(sim, opt, output);
    for (int b = 0; status == 0 && b < opt->branches; b++) {
        struct simulation branch;
        char path[4200];
        snprintf(copy, sizeof copy, "%s", output);
        char name[1024];
        default_output(opt->branch[b], name, sizeof name); /* output/NAME.h5 */
        snprintf(path, sizeof path, "%s/%s", dirname(copy), strrchr(name, '/') + 1);
        if ((status = mig_simulation_load(&branch, opt->branch[b], &opt->overrides)) == 0 &&
            (status = mig_simulation_run_branch(&branch, fork_path, show ? show_progress : NULL,
                                                bar)) == 0)
            status = finish(&branch, opt, path);
        mig_simulation_free(&branch);
    }
    remove(fork_path);
    return status;
}

static int command_run(int argc, char **argv)
{
    struct options opt;
    int code = parse_options(argc, argv, &opt);
    if (code)
        return code;
    if (!opt.scenario || opt.second)
        return bad_usage("run: expected one scenario file");
    if (opt.replicate >= 0 && opt.replicates > 1)
        return bad_usage("--replicate K runs one member; it does not go with --replicates");
    if ((opt.branches > 0) != (opt.fork_at != NULL))
        return bad_usage("--fork-at DATE and --branch ALT.yaml go together");
    char output[4096];
    if (opt.output)
        snprintf(output, sizeof output, "%s", opt.output);
    else
        default_output(opt.scenario, output, sizeof output);
    struct simulation sim;
    int status = mig_simulation_load(&sim, opt.scenario, &opt.overrides);
    if (status < 0)
        return fail(&sim, status);
    if ((code = check_output_folder(output)) != 0) {
        mig_simulation_free(&sim);
        return code;
    }
    char checkpoint[4200];
    snprintf(checkpoint, sizeof checkpoint, "%s", opt.checkpoint ? opt.checkpoint : "");
    if (opt.every) {
        sim.checkpoint_every = period_steps(opt.every, sim.scenario.step_days);
        if (sim.checkpoint_every < 0) {
            mig_simulation_free(&sim);
            return bad_usage("--checkpoint-every expects N (steps), Nd (days) or Nw (weeks)");
        }
        if (!opt.checkpoint)
            snprintf(checkpoint, sizeof checkpoint, "%s.ckpt", output);
        sim.checkpoint = checkpoint;
    }
    sim.resume = opt.resume;
    sim.first_replicate = opt.replicate > 0 ? opt.replicate : 0;
    sim.replicate_index = opt.replicate;
    struct progress bar = {now_seconds(), 0};
    for (int o = 0; o < sim.world.origins; o++)
        bar.agents += (double)mig_population_migrants_of(&sim.scenario, &sim.world, o);
    for (int r = 0; r < sim.world.regions; r++)
        bar.agents += (double)mig_population_residents_of(&sim.scenario, &sim.world, r);
    bool show = !opt.quiet && isatty(STDERR_FILENO) && mig_comm_rank() == 0;
    if (opt.fork_at)
        status = run_forks(&sim, &opt, output, &bar, show);
    else if ((status =
                  mig_simulation_run(&sim, opt.replicates, show ? show_progress : NULL, &bar)) == 0)
        status = finish(&sim, &opt, output);
    if (status < 0)
        return fail(&sim, status);
    if (sim.checkpoint)
        remove(sim.checkpoint); /* the run is complete; its checkpoint is no longer needed */
    mig_simulation_free(&sim);
    return 0;
}

static int command_check(int argc, char **argv)
{
    struct options opt;
    int code = parse_options(argc, argv, &opt);
    if (code)
        return code;
    if (!opt.scenario || opt.second)
        return bad_usage("check: expected one scenario file");
    struct simulation sim;
    int status = mig_simulation_load(&sim, opt.scenario, &opt.overrides);
    if (status < 0)
        return fail(&sim, status);
    printf("%s: ok (%d steps, %d figures)\n", opt.scenario, sim.runs[0].steps, sim.figures.count);
    mig_simulation_free(&sim);
    return 0;
}

static int command_compare(int argc, char **argv)
{
    struct options opt;
    int code = parse_options(argc, argv, &opt);
    if (code)
        return code;
    if (!opt.scenario || !opt.second)
        return bad_usage("compare: expected BASE.h5 and ALT.h5");
    struct compare_options o = {opt.at, opt.by, opt.output, command_line};
    int status = mig_compare(opt.scenario, opt.second, &o, stdout);
    if (status < 0)
        return report_error(status);
    if (opt.output)
        printf("wrote %s\n", opt.output);
    return 0;
}

static int command_calibrate(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"targets", required_argument, NULL, 't'}, {"free", required_argument, NULL, 'f'},
        {"method", required_argument, NULL, 'm'},  {"replicates", required_argument, NULL, 'n'},
        {"budget", required_argument, NULL, 'b'},  {"particles", required_argument, NULL, 'p'},
        {"scale", required_argument, NULL, 'k'},   {"output", required_argument, NULL, 'o'},
        {"prior", required_argument, NULL, 'r'},   {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct calibrate_options o = {.method = "nelder-mead",
                                  .replicates = 1,
                                  .budget = 100,
                                  .particles = 24,
                                  .command_line = command_line};
    double x;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
        switch (c) {
        case 't':
            if (o.target_files == MIG_MAX_TARGET_FILES)
                return bad_usage("too many --targets files");
            o.targets[o.target_files++] = optarg;
            break;
        case 'f':
            if (o.free_count == MIG_MAX_FREE)
                return bad_usage("too many --free parameters");
            o.free[o.free_count++] = optarg;
            break;
        case 'm':
            o.method = optarg;
            break;
        case 'n':
        case 'b':
        case 'p':
        case 'j':
            if (parse_count(optarg, "a count", 1, 1e7, &x) < 0 || x != floor(x))
                return 2;
            if (c == 'n')
                o.replicates = (int)x;
            else if (c == 'b')
                o.budget = (int)x;
            else if (c == 'p')
                o.particles = (int)x;
            else
                omp_set_num_threads((int)x);
            break;
        case 'k':
            if (parse_count(optarg, "--scale", 0.01, 100000, &o.scale) < 0)
                return 2;
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'r':
            o.prior = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            return bad_usage("unknown option");
        }
    }
    if (optind != argc - 1)
        return bad_usage("calibrate: expected one scenario file");
    if (!o.output)
        return bad_usage("calibrate: expected -o OUT (writes OUT.yaml and OUT.h5)");
    o.scenario = argv[optind];
    int status = mig_calibrate(&o, stdout);
    if (status < 0)
        return report_error(status);
    return 0;
}

static int command_report(int argc, char **argv)
{
    static const struct option long_options[] = {{"compare", required_argument, NULL, 'c'},
                                                 {"calibration", required_argument, NULL, 'k'},
                                                 {"output", required_argument, NULL, 'o'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    struct report_options o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (o.compare_count == MIG_REPORT_MAX_COMPARE)
                return bad_usage("report: at most six --compare runs");
            o.compare[o.compare_count++] = optarg;
            break;
        case 'k':
            o.calibration = optarg;
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            return bad_usage("unknown option");
        }
    }
    if (optind != argc - 1)
        return bad_usage("report: expected one RUN.h5");
    if (!o.output)
        return bad_usage("report: expected -o REPORT.html");
    o.run = argv[optind];
    int status = mig_report_write(&o);
    if (status < 0)
        return report_error(status);
    printf("wrote %s\n", o.output);
    return 0;
}

static int command_export(int argc, char **argv)
{
    static const struct option long_options[] = {{"output", required_argument, NULL, 'o'},
                                                 {"format", required_argument, NULL, 'f'},
                                                 {"compare", required_argument, NULL, 'c'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    struct export_options o = {.command_line = command_line};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.output = optarg;
            break;
        case 'f':
            o.format = optarg;
            break;
        case 'c':
            o.base = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            return bad_usage("unknown option");
        }
    }
    if (optind != argc - 1)
        return bad_usage("export: expected one RUN.h5");
    if (!o.output)
        return bad_usage("export: expected -o FILE.xlsx or -o FOLDER --format csv");
    o.run = argv[optind];
    int status = mig_export_write(&o);
    if (status < 0)
        return report_error(status);
    printf("wrote %s\n", o.output);
    return 0;
}

static int command_merge(int argc, char **argv)
{
    const char *output = NULL, *members[4096];
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            output = argv[++i];
        else if (argv[i][0] == '-')
            return bad_usage("merge: unknown option");
        else if (count < 4096)
            members[count++] = argv[i];
    }
    if (!output || count < 2)
        return bad_usage("merge: expected MEMBER.h5 MEMBER.h5 ... -o ENSEMBLE.h5");
    int status = check_output_folder(output);
    if (status)
        return status;
    if ((status = mig_ensemble_merge(members, count, output, command_line)) < 0)
        return report_error(status);
    printf("wrote %s (%d members)\n", output, count);
    return 0;
}

static const char *type_name(enum mig_param_type type)
{
    static const char *const names[] = {"real", "integer",   "date",   "text",
                                        "path", "by origin", "regions"};
    return names[type];
}

static int command_params(int yaml)
{
    if (yaml) {
        mig_scenario_write_reference(stdout);
        return 0;
    }
    struct scenario sc;
    if (mig_scenario_defaults(&sc) < 0)
        return fail(&(struct simulation){0}, MIG_ERUNTIME);
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    printf("%-38s %-9s %-32s %-22s %s\n", "parameter", "type", "default", "bounds",
           "unit: meaning");
    for (size_t i = 0; i < n; i++) {
        const struct mig_param *p = &table[i];
        char value[256], bounds[48] = "";
        mig_scenario_format_value(&sc, p, value, sizeof value);
        if (p->type == MIG_PARAM_REAL || p->type == MIG_PARAM_INT || p->type == MIG_PARAM_BY_ORIGIN)
            snprintf(bounds, sizeof bounds, "[%g, %g]", p->lo, p->hi);
        printf("%-38s %-9s %-32s %-22s %s%s%s%s%s%s\n", p->name, type_name(p->type), value, bounds,
               p->unit, p->unit[0] ? ": " : "", p->description, p->provenance ? " [" : "",
               p->provenance ? p->provenance : "", p->provenance ? "]" : "");
    }
    size_t types_count, fields_count;
    const struct mig_event_type *types = mig_timeline_types(&types_count);
    const struct mig_event_field *fields = mig_timeline_fields(&fields_count);
    printf("\n%-20s %-28s %-22s %s\n", "timeline event", "target", "value bounds", "unit: meaning");
    for (size_t i = 0; i < types_count; i++) {
        char bounds[48] = "none";
        if (types[i].needs_value)
            snprintf(bounds, sizeof bounds, "[%g, %g]", types[i].lo, types[i].hi);
        printf("%-20s %-28s %-22s %s%s%s\n", types[i].name,
               mig_timeline_target_text(types[i].target), bounds, types[i].unit,
               types[i].unit[0] ? ": " : "", types[i].description);
    }
    printf("\n%-20s %-10s %-10s %s\n", "event field", "type", "default", "unit: meaning");
    for (size_t i = 0; i < fields_count; i++)
        printf("%-20s %-10s %-10s %s%s%s\n", fields[i].name, fields[i].type, fields[i].fallback,
               fields[i].unit, fields[i].unit[0] ? ": " : "", fields[i].description);
    return 0;
}

static int command_stats(void)
{
    size_t n;
    const struct mig_statistic *list = mig_stats_list(&n);
    printf("%-24s %-8s %-8s %-10s %s\n", "statistic", "key", "taken", "unit", "meaning");
    for (size_t i = 0; i < n; i++)
        printf("%-24s %-8s %-8s %-10s %s\n", list[i].name, list[i].key[0] ? list[i].key : "-",
               list[i].window ? "window" : "date", list[i].unit, list[i].description);
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int command_bench(int argc, char **argv)
{
    struct options opt;
    int code = parse_options(argc, argv, &opt);
    if (code)
        return code;
    if (!opt.scenario || opt.second)
        return bad_usage("bench: expected one scenario file");
    double *wall = calloc((size_t)opt.repeat, sizeof *wall);
    if (!wall)
        return 1;
    double agents = 0, steps = 0;
    printf("%-4s %9s %16s %8s\n", "run", "wall_s", "agent_steps/s", "threads");
    for (int i = 0; i < opt.repeat; i++) {
        struct simulation sim;
        int status = mig_simulation_load(&sim, opt.scenario, &opt.overrides);
        double started = now_seconds();
        if (status < 0 || (status = mig_simulation_run(&sim, 1, NULL, NULL)) < 0) {
            free(wall);
            return fail(&sim, status);
        }
        wall[i] = now_seconds() - started;
        agents = (double)(sim.population.migrants + sim.population.residents);
        steps = sim.runs[0].steps;
        printf("%-4d %9.3f %16.4g %8d   ", i + 1, wall[i], agents * steps / wall[i],
               omp_get_max_threads());
        size_t n_stages;
        const struct mig_stage *stages = mig_engine_stages(&n_stages);
        for (size_t k = 0; k < n_stages; k++)
            printf(" %s %.2f", stages[k].name, sim.engine.stage_seconds[k]);
        printf("\n");
        mig_simulation_free(&sim);
    }
    qsort(wall, (size_t)opt.repeat, sizeof *wall, compare_doubles);
    double median = opt.repeat % 2 ? wall[opt.repeat / 2]
                                   : (wall[opt.repeat / 2 - 1] + wall[opt.repeat / 2]) / 2;
    struct rusage resources;
    getrusage(RUSAGE_SELF, &resources);
    double peak = resources.ru_maxrss * 1024.0;
    printf("median: %.3f s wall, %.4g agent-steps/s, %d threads, %.0f agents x %.0f steps, "
           "peak memory %.1f MiB (%.1f bytes per agent)\n",
           median, agents * steps / median, omp_get_max_threads(), agents, steps, peak / 1048576.0,
           peak / agents);
    free(wall);
    return 0;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    join_arguments(argc, argv);
    if (mig_comm_init(&argc, &argv) < 0) {
        fprintf(stderr, "migsim: %s\n", mig_strerror());
        return 1;
    }
    int code = 0;
    /* Under MPI, runs, ensembles and calibrations use every rank; other
     * commands run once. */
    if (argc > 1 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "ensemble") == 0 ||
                     strcmp(argv[1], "calibrate") == 0))
        code = dispatch(argc, argv);
    else if (mig_comm_rank() == 0)
        code = dispatch(argc, argv);
    mig_comm_finalize();
    return code;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("expected a command");
    const char *command = argv[1];
    if (!strcmp(command, "-h") || !strcmp(command, "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(command, "-V") || !strcmp(command, "--version")) {
        printf("migsim %s\n", MIGSIM_VERSION);
        return 0;
    }
    if (!strcmp(command, "run"))
        return command_run(argc - 1, argv + 1);
    if (!strcmp(command, "check"))
        return command_check(argc - 1, argv + 1);
    if (!strcmp(command, "compare"))
        return command_compare(argc - 1, argv + 1);
    if (!strcmp(command, "calibrate"))
        return command_calibrate(argc - 1, argv + 1);
    if (!strcmp(command, "report"))
        return command_report(argc - 1, argv + 1);
    if (!strcmp(command, "export"))
        return command_export(argc - 1, argv + 1);
    if (!strcmp(command, "merge"))
        return command_merge(argc - 1, argv + 1);
    if (!strcmp(command, "ensemble")) /* run with replicates, over ranks under MPI */
        return command_run(argc - 1, argv + 1);
    if (!strcmp(command, "params")) {
        if (argc == 3 && !strcmp(argv[2], "--yaml"))
            return command_params(1);
        return argc == 2 ? command_params(0) : bad_usage("params takes only --yaml");
    }
    if (!strcmp(command, "stats"))
        return argc == 2 ? command_stats() : bad_usage("stats takes no arguments");
    if (!strcmp(command, "bench"))
        return command_bench(argc - 1, argv + 1);
    fprintf(stderr, "migsim: unknown command '%s'\n(see `migsim --help`)\n", command);
    return 2;
}
