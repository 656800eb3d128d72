/* The migsim command line: one table of commands (name, positional
 * arguments, options, help, handler) from which the parser, `--help`,
 * `COMMAND --help`, the man page (`--help-man`) and shell completion
 * (`--completion bash`) are all generated. All work is in the library; this
 * file only parses and dispatches. Exit codes: 0 success, 1 runtime
 * failure, 2 bad input, 130/143 stopped by SIGINT/SIGTERM.
 *
 * How to add a command (one edit, in three places of this file):
 *   1. write `static int command_NAME(const struct cli_args *a)`; read its
 *      positional arguments as a->args[0..a->count-1] and its options with
 *      opt_value(a, "name"), opt_given(a, "name"), opt_values(a, "name", &n)
 *      and the checked converters opt_number()/opt_whole(); return an exit
 *      code (report_error() turns a library status into one);
 *   2. declare its options as `static const struct cli_option NAME_options[]`
 *      ending with CLI_END (the shared rows OPT_OUTPUT, OPT_SEED, ... are
 *      macros below; -h/--help is implicit);
 *   3. add its row to `commands[]`: name (one word, or two for a subcommand
 *      such as "targets import"), positional synopsis, the least and most
 *      positional arguments (-1: any number), options, a one-line summary,
 *      a longer help text, the handler, and CLI_ALL_RANKS if every MPI rank
 *      must run it.
 * An option a command does not declare is an error; so are a value that
 * looks like an option and an empty value. An option that is not
 * CLI_REPEAT may be given again: the last one counts (so scripts can append
 * overrides). */
#include "migsim/calibrate.h"
#include "migsim/checkpoint.h"
#include "migsim/comm.h"
#include "migsim/compare.h"
#include "migsim/date.h"
#include "migsim/ensemble.h"
#include "migsim/export.h"
#include "migsim/import.h"
#include "migsim/sensitivity.h"
#include "migsim/population.h"
#include "migsim/report.h"
#include "migsim/rng.h"
#include "migsim/error.h"
#include "migsim/files.h"
#include "migsim/simulation.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif

/* ---- the command table's types ---- */

enum cli_option_flags {
    CLI_REPEAT = 1,   /* may be given more than once (opt_values) */
    CLI_REQUIRED = 2, /* the command cannot run without it */
};

struct cli_option {
    const char *name; /* long name, without the dashes; NULL ends a list */
    char letter;      /* short form (-o), or 0 */
    const char *arg;  /* the value's placeholder (FILE.h5, N), or NULL for a flag */
    unsigned flags;   /* enum cli_option_flags */
    const char *help; /* one line */
};

#define CLI_END                                                                                    \
    {                                                                                              \
        NULL, 0, NULL, 0, NULL                                                                     \
    }

struct cli_args;

enum cli_command_flags {
    CLI_ALL_RANKS = 1, /* under MPI every rank runs the command; others run on rank 0 */
    CLI_HIDDEN = 2,    /* not listed in --help (none yet) */
};

struct cli_command {
    const char *name;       /* "run", or two words for a subcommand ("targets import") */
    const char *synopsis;   /* positional arguments, as shown in --help */
    int min_args, max_args; /* positional arguments; max_args -1 for any number */
    const struct cli_option *options;
    const char *summary; /* one line */
    const char *help;    /* the rest of the description, lines ending in \n */
    int (*handler)(const struct cli_args *a);
    unsigned flags; /* enum cli_command_flags */
};

#define CLI_MAX_GIVEN 4096

struct cli_args {
    const struct cli_command *command;
    char **args; /* positional arguments */
    int count;
    int given; /* options given, in order */
    const struct cli_option *option[CLI_MAX_GIVEN];
    const char *value[CLI_MAX_GIVEN];
};

/* The command being parsed or run, for messages. */
static const char *current_command = NULL;

/* A mistake on the command line: one line on stderr, exit 2. */
static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (mig_comm_rank() == 0) {
        fputs("migsim: ", stderr);
        if (current_command)
            fprintf(stderr, "%s: ", current_command);
        vfprintf(stderr, fmt, ap);
        if (current_command)
            fprintf(stderr, " (see `migsim %s --help`)\n", current_command);
        else
            fputs(" (see `migsim --help`)\n", stderr);
    }
    va_end(ap);
    return 2;
}

/* ---- reading the options a command was given ---- */

static const struct cli_option *find_option(const struct cli_command *c, const char *name)
{
    for (const struct cli_option *o = c->options; o && o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

/* A handler asking for an option its row does not declare is a bug in this
 * file, caught by any test of that command. */
static const struct cli_option *declared(const struct cli_args *a, const char *name)
{
    const struct cli_option *o = find_option(a->command, name);
    if (!o) {
        fprintf(stderr, "migsim: internal error: %s reads undeclared option --%s\n",
                a->command->name, name);
        abort();
    }
    return o;
}

/* The value of an option (the last one given), "" for a flag given, NULL
 * when absent. */
static const char *opt_value(const struct cli_args *a, const char *name)
{
    const struct cli_option *o = declared(a, name);
    for (int i = a->given - 1; i >= 0; i--)
        if (a->option[i] == o)
            return a->value[i];
    return NULL;
}

static int opt_given(const struct cli_args *a, const char *name)
{
    return opt_value(a, name) != NULL;
}

/* Every value of a repeatable option, in order, into `out` (at most `max`);
 * returns how many were given. */
static int opt_values(const struct cli_args *a, const char *name, const char **out, int max)
{
    const struct cli_option *o = declared(a, name);
    int n = 0;
    for (int i = 0; i < a->given; i++)
        if (a->option[i] == o) {
            if (n < max)
                out[n] = a->value[i];
            n++;
        }
    return n;
}

/* A number in [lo, hi] (whole if `whole`) from an option, or `fallback`
 * when absent; -1 with a message when malformed. */
static int opt_number(const struct cli_args *a, const char *name, double lo, double hi, int whole,
                      double fallback, double *out)
{
    const char *text = opt_value(a, name);
    *out = fallback;
    if (!text)
        return 0;
    char *end = NULL;
    errno = 0;
    double x = strtod(text, &end);
    if (!text[0] || *end || errno || !isfinite(x) || x < lo || x > hi || (whole && x != floor(x))) {
        bad_usage("--%s expects %s in [%.17g, %.17g], found '%s'", name,
                  whole ? "a whole number" : "a number", lo, hi, text);
        return -1;
    }
    *out = x;
    return 0;
}

static int opt_whole(const struct cli_args *a, const char *name, int lo, int hi, int fallback,
                     int *out)
{
    double x;
    if (opt_number(a, name, lo, hi, 1, fallback, &x) < 0)
        return -1;
    *out = (int)x;
    return 0;
}

/* ---- parsing ---- */

static int find_given(const struct cli_args *a, const struct cli_option *o)
{
    for (int i = 0; i < a->given; i++)
        if (a->option[i] == o)
            return 1;
    return 0;
}

/* "-o FILE" or "--name FILE", as the synopsis shows an option. */
static const char *option_text(const struct cli_option *o, char *buf, size_t size)
{
    if (o->letter)
        snprintf(buf, size, "-%c", o->letter);
    else
        snprintf(buf, size, "--%s", o->name);
    return buf;
}

static int looks_like_number(const char *s)
{
    char *end = NULL;
    strtod(s, &end);
    return end != s && *end == '\0';
}

/* Parses argv (after the command's name) against the command's row. No
 * abbreviations, no permutation surprises: `--name value`, `--name=value`,
 * `-x value`, flags, `--` ending the options, and positional arguments. */
static int parse_command_line(const struct cli_command *c, int argc, char **argv,
                              struct cli_args *a, int *help)
{
    a->command = c;
    a->count = 0;
    a->given = 0;
    *help = 0;
    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        char *word = argv[i];
        if (options_done || word[0] != '-' || word[1] == '\0' ||
            (word[1] != '-' && looks_like_number(word))) {
            a->args[a->count++] = word;
            continue;
        }
        if (!strcmp(word, "--")) {
            options_done = 1;
            continue;
        }
        if (!strcmp(word, "-h") || !strcmp(word, "--help")) {
            *help = 1;
            return 0;
        }
        const struct cli_option *o = NULL;
        const char *inline_value = NULL;
        char name[64];
        if (word[1] == '-') {
            const char *eq = strchr(word + 2, '=');
            size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
            snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), word + 2);
            o = len < 63 ? find_option(c, name) : NULL;
            inline_value = eq ? eq + 1 : NULL;
        } else if (word[2] == '\0') {
            for (const struct cli_option *p = c->options; p && p->name; p++)
                if (p->letter == word[1])
                    o = p;
            snprintf(name, sizeof name, "%c", word[1]);
        }
        if (!o)
            return bad_usage("'%s' is not an option of `migsim %s`", word, c->name);
        const char *value = "";
        if (o->arg) {
            if (inline_value)
                value = inline_value;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return bad_usage("--%s expects %s", o->name, o->arg);
            if (!inline_value && value[0] == '-' && value[1] != '\0' && !looks_like_number(value))
                return bad_usage("--%s expects %s, found the option '%s'", o->name, o->arg, value);
            if (value[0] == '\0')
                return bad_usage("--%s expects %s, found an empty value", o->name, o->arg);
        } else if (inline_value) {
            return bad_usage("--%s takes no value", o->name);
        }
        if (a->given == CLI_MAX_GIVEN)
            return bad_usage("too many options");
        a->option[a->given] = o;
        a->value[a->given++] = value;
    }
    if (a->count < c->min_args || (c->max_args >= 0 && a->count > c->max_args)) {
        if (c->max_args == 0)
            return bad_usage("takes no arguments, found '%s'", a->args[0]);
        return bad_usage("expected %s%s", c->synopsis[0] ? c->synopsis : "no arguments",
                         a->count > c->min_args ? ", found too many arguments" : "");
    }
    char text[80];
    for (const struct cli_option *o = c->options; o && o->name; o++)
        if ((o->flags & CLI_REQUIRED) && !find_given(a, o))
            return bad_usage("expected %s %s", option_text(o, text, sizeof text), o->arg);
    return 0;
}

/* ---- text generated from the table: --help, COMMAND --help, man page,
 * completion ---- */

static const struct cli_command *commands_table(size_t *n);

/* "-o, --output FILE.h5" */
static void format_option(const struct cli_option *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s--%s%s%s", o->letter ? "-" : "",
             o->letter ? (char[2]){o->letter, 0} : "", o->letter ? ", " : "", o->name,
             o->arg ? " " : "", o->arg ? o->arg : "");
}

/* "run SCENARIO.yaml [-o FILE.h5] [--seed N] ..." wrapped at 78 columns with
 * `indent` spaces on continuation lines. */
static void print_synopsis(FILE *out, const struct cli_command *c, int indent)
{
    int column = fprintf(out, "%s%s%s", c->name, c->synopsis[0] ? " " : "", c->synopsis);
    char text[160], item[200];
    for (const struct cli_option *o = c->options; o && o->name; o++) {
        snprintf(text, sizeof text, "%s%s%s%s", o->letter ? "-" : "--",
                 o->letter ? (char[2]){o->letter, 0} : o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        int required = (o->flags & CLI_REQUIRED) != 0;
        snprintf(item, sizeof item, "%s%s%s%s", required ? "" : "[", text,
                 (o->flags & CLI_REPEAT) ? " ..." : "", required ? "" : "]");
        int len = (int)strlen(item);
        if (column + 1 + len > 78) {
            column = fprintf(out, "\n%*s", indent, "") - 1;
        }
        column += fprintf(out, " %s", item);
    }
    fputc('\n', out);
}

static void print_usage(FILE *out)
{
    size_t n;
    const struct cli_command *table = commands_table(&n);
    fputs("usage: migsim COMMAND [arguments] [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < n; i++) {
        if (table[i].flags & CLI_HIDDEN)
            continue;
        char head[120];
        snprintf(head, sizeof head, "%s %s", table[i].name, table[i].synopsis);
        if (strlen(head) <= 26)
            fprintf(out, "  %-26s %s\n", head, table[i].summary);
        else
            fprintf(out, "  %s\n  %-26s %s\n", head, "", table[i].summary);
    }
    fputs(
        "\noptions:\n"
        "  -h, --help                 this text; `migsim COMMAND --help` for a command's options\n"
        "  -V, --version              the version\n"
        "  --help-man                 the manual page (roff), generated from the command table\n"
        "  --completion bash          a bash completion script\n"
        "\nexit codes: 0 success, 1 runtime failure, 2 bad input, 130 interrupted (SIGINT),\n"
        "143 terminated (SIGTERM)\n",
        out);
}

static void print_command_help(FILE *out, const struct cli_command *c)
{
    fputs("usage: migsim ", out);
    print_synopsis(out, c, 14);
    fprintf(out, "\n%s\n", c->summary);
    if (c->help && c->help[0])
        fprintf(out, "\n%s", c->help);
    fputs("\noptions:\n", out);
    char text[200];
    for (const struct cli_option *o = c->options; o && o->name; o++) {
        format_option(o, text, sizeof text);
        fprintf(out, "  %-28s %s%s%s\n", text, o->help,
                (o->flags & CLI_REQUIRED) ? " (required)" : "",
                (o->flags & CLI_REPEAT) ? " (may be repeated)" : "");
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "this text");
}

/* roff text: backslashes doubled, a leading dot or quote escaped. */
static void man_text(FILE *out, const char *s)
{
    int line_start = 1;
    for (; *s; s++) {
        if (line_start && (*s == '.' || *s == '\''))
            fputs("\\&", out);
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else
            fputc(*s, out);
        line_start = *s == '\n';
    }
}

static void print_man(FILE *out)
{
    size_t n;
    const struct cli_command *table = commands_table(&n);
    fprintf(out, ".TH MIGSIM 1 \"\" \"migsim %s\" \"User Commands\"\n", MIGSIM_VERSION);
    fputs(".SH NAME\nmigsim \\- agent\\-based simulator of migration into and within Kazakhstan\n"
          ".SH SYNOPSIS\n",
          out);
    for (size_t i = 0; i < n; i++) {
        if (table[i].flags & CLI_HIDDEN)
            continue;
        fprintf(out, ".B migsim %s\n", table[i].name);
        if (table[i].synopsis[0]) {
            fputs(".I ", out);
            man_text(out, table[i].synopsis);
            fputc('\n', out);
        }
        fputs("[\\fIoptions\\fR]\n.br\n", out);
    }
    fputs(".B migsim \\-\\-help | \\-\\-version | \\-\\-help\\-man | \\-\\-completion bash\n"
          ".SH COMMANDS\n",
          out);
    char text[200];
    for (size_t i = 0; i < n; i++) {
        const struct cli_command *c = &table[i];
        if (c->flags & CLI_HIDDEN)
            continue;
        fprintf(out, ".SS migsim %s", c->name);
        if (c->synopsis[0]) {
            fputc(' ', out);
            man_text(out, c->synopsis);
        }
        fputc('\n', out);
        man_text(out, c->summary);
        fputc('\n', out);
        if (c->help && c->help[0]) {
            fputs(".PP\n", out);
            man_text(out, c->help);
        }
        for (const struct cli_option *o = c->options; o && o->name; o++) {
            format_option(o, text, sizeof text);
            fputs(".TP\n.B ", out);
            man_text(out, text);
            fputc('\n', out);
            man_text(out, o->help);
            if (o->flags & CLI_REQUIRED)
                fputs(" (required)", out);
            if (o->flags & CLI_REPEAT)
                fputs(" (may be repeated)", out);
            fputc('\n', out);
        }
    }
    fputs(".SH EXIT STATUS\n.TP\n0\nsuccess\n.TP\n1\na runtime failure (a file could not be "
          "written, out of memory)\n.TP\n2\nbad input: a mistake on the command line or in an "
          "input file, reported once as \\fIfile:line:column: error: ...\\fR\n.TP\n130\n"
          "stopped by SIGINT; temporary files removed, existing outputs untouched\n.TP\n143\n"
          "stopped by SIGTERM (as 130)\n",
          out);
}

/* A bash completion script: commands, then each command's options. */
static void print_completion_bash(FILE *out)
{
    size_t n;
    const struct cli_command *table = commands_table(&n);
    fputs("# bash completion for migsim, generated by `migsim --completion bash`\n"
          "_migsim() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          out);
    char first[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(first, sizeof first, "%s", table[i].name);
        first[strcspn(first, " ")] = '\0';
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            if (!strncmp(table[k].name, first, strlen(first)) &&
                (table[k].name[strlen(first)] == ' ' || table[k].name[strlen(first)] == '\0'))
                seen = 1;
        if (!seen && !(table[i].flags & CLI_HIDDEN))
            fprintf(out, "%s ", first);
    }
    fputs("--help --version\" -- \"$cur\"))\n        return\n    fi\n"
          "    case \"$cmd\" in\n",
          out);
    for (size_t i = 0; i < n; i++) {
        snprintf(first, sizeof first, "%s", table[i].name);
        if (strchr(first, ' '))
            continue; /* subcommands share their first word's completion */
        fprintf(out, "    %s) opts=\"--help", first);
        for (const struct cli_option *o = table[i].options; o && o->name; o++)
            fprintf(out, " --%s", o->name);
        fputs("\" ;;\n", out);
    }
    fputs("    *) opts=\"--help\" ;;\n    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -o filenames -F _migsim migsim\n",
          out);
}

/* ---- helpers of the commands ---- */

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

static int report_error(int status);

/* ---- outputs never replace inputs ---- */

/* The files a command reads, for the output checks. */
struct inputs {
    char *path[1024];
    int count;
};

static void add_input(struct inputs *in, const char *path)
{
    if (path && path[0] && in->count < 1024 && (in->path[in->count] = strdup(path)))
        in->count++;
}

/* Every regular file in a folder (the data folder: all of it is input). */
static void add_folder(struct inputs *in, const char *folder)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return;
    struct dirent *entry;
    char path[4200];
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        add_input(in, path);
    }
    closedir(dir);
}

/* The scenario, its parents, its data folder and its figures. */
static void add_simulation(struct inputs *in, const struct simulation *sim)
{
    const struct scenario *sc = &sim->scenario;
    for (int i = 0; i < sc->files; i++)
        add_input(in, sc->file[i]);
    add_input(in, sc->path);
    add_input(in, sc->targets);
    add_folder(in, sc->data);
}

/* A scenario's inputs (add_simulation) and those of the targets files a
 * command is given. */
static int add_scenario_inputs(struct inputs *in, const char *scenario, const char *const *targets,
                               int count)
{
    struct simulation sim;
    int status = mig_simulation_load(&sim, scenario, &(struct overrides){-1, 0});
    if (status == 0)
        add_simulation(in, &sim);
    mig_simulation_free(&sim);
    for (int i = 0; status == 0 && i < count; i++)
        add_input(in, targets[i]);
    return status;
}

static void free_inputs(struct inputs *in)
{
    for (int i = 0; i < in->count; i++)
        free(in->path[i]);
    in->count = 0;
}

/* A path made absolute through its folder (the file itself need not
 * exist), so that two spellings of one new output compare equal. */
static void canonical(const char *path, char *out, size_t size)
{
    char folder_copy[4096], name_copy[4096], folder[4096];
    snprintf(folder_copy, sizeof folder_copy, "%s", path);
    snprintf(name_copy, sizeof name_copy, "%s", path);
    if (!realpath(dirname(folder_copy), folder))
        snprintf(folder, sizeof folder, "%s", dirname(folder_copy));
    snprintf(out, size, "%s/%s", folder, basename(name_copy));
}

/* Checks each output against the inputs and the other outputs, before any
 * work starts; `options` names each output's option for messages. */
static int check_outputs(const char *const *outputs, const char *const *options, int n,
                         const struct inputs *in)
{
    for (int i = 0; i < n; i++) {
        if (!outputs[i])
            continue;
        int status = mig_files_check_output(outputs[i], options[i], (const char *const *)in->path,
                                            in->count);
        if (status < 0)
            return report_error(status);
        char a[8400], b[8400];
        canonical(outputs[i], a, sizeof a);
        for (int j = 0; j < i; j++) {
            if (!outputs[j])
                continue;
            canonical(outputs[j], b, sizeof b);
            if (!strcmp(a, b) || mig_files_same(outputs[i], outputs[j]))
                return report_error(mig_fail(MIG_EINPUT,
                                             "%s: error: %s and %s name the same file; expected "
                                             "two outputs",
                                             outputs[i], options[j], options[i]));
        }
    }
    return 0;
}

/* Reports a library error once and gives its exit code. */
static int report_error(int status)
{
    if (mig_comm_rank() == 0) /* every rank meets the same error; one reports it */
        fprintf(stderr, "migsim: %s\n", mig_strerror());
    else if (mig_error_is_own())
        fprintf(stderr, "migsim: rank %d: %s\n", mig_comm_rank(), mig_strerror());
    return mig_exit_code(status);
}

static int fail(struct simulation *sim, int status)
{
    mig_simulation_free(sim);
    return report_error(status);
}

/* A period as steps: N (steps), Nd (days) or Nw (weeks); periods longer
 * than any run are capped rather than overflowing. */
static int period_steps(const char *text, double step_days)
{
    char *end = NULL;
    double x = strtod(text, &end);
    if (!text[0] || !(x > 0) || !isfinite(x))
        return -1;
    double days = *end == 'd' ? x : *end == 'w' ? 7 * x : *end == '\0' ? x * step_days : -1;
    if (days <= 0 || (*end && end[1]))
        return -1;
    double steps = ceil(days / step_days - 1e-9);
    return steps < 1 ? 1 : steps > INT_MAX ? INT_MAX : (int)steps;
}

/* Threads for OpenMP, from --threads N. */
static int apply_threads(const struct cli_args *a)
{
    int threads;
    if (opt_whole(a, "threads", 1, 1024, 0, &threads) < 0)
        return -1;
    if (threads)
        omp_set_num_threads(threads);
    return 0;
}

/* --seed and --scale, for the commands that take them. */
static int read_overrides(const struct cli_args *a, struct overrides *o)
{
    o->seed = -1;
    o->scale = 0;
    if (find_option(a->command, "seed") &&
        opt_number(a, "seed", 0, 9007199254740991.0, 1, -1, &o->seed) < 0)
        return -1;
    if (find_option(a->command, "scale") &&
        opt_number(a, "scale", 0.01, 100000, 0, 0, &o->scale) < 0)
        return -1;
    return 0;
}

struct run_request {
    const char *scenario, *fork_at;
    const char *branch[16];
    int branches, quiet;
    struct overrides overrides;
};

static int finish(struct simulation *sim, const struct run_request *rq, const char *output)
{
    int outside = 0, status;
    if ((status = mig_simulation_figures(sim, &outside)) < 0 ||
        (status = mig_simulation_write(sim, output, command_line)) < 0)
        return status;
    if (!rq->quiet && mig_comm_rank() == 0) {
        mig_simulation_print_summary(sim, stdout);
        printf("wrote %s\n", output);
    }
    return 0;
}

/* A branch's output: OUTPUT's folder / the branch file's name .h5. */
static void branch_output(const char *output, const char *branch, char *path, size_t size)
{
    char copy[4096], name[1024];
    snprintf(copy, sizeof copy, "%s", output);
    default_output(branch, name, sizeof name); /* output/NAME.h5 */
    snprintf(path, size, "%s/%s", dirname(copy), strrchr(name, '/') + 1);
}

/* The step of --fork-at DATE, which must be inside the run. */
static int fork_step(const struct simulation *sim, const char *date, int *fork)
{
    long day;
    if (!mig_date_parse(date, &day))
        return mig_fail(MIG_EINPUT, "error: --fork-at expects a date YYYY-MM-DD, found '%s'", date);
    *fork = mig_simulation_step_at(sim, day);
    if (*fork <= 0 || *fork >= sim->runs[0].steps)
        return mig_fail(MIG_EINPUT, "error: --fork-at %s is not inside the run", date);
    return 0;
}

/* --fork-at DATE --branch ALT.yaml...: the scenario once to step `fork`,
 * then to its end and each branch from there, written beside the
 * scenario's output. */
static int run_forks(struct simulation *sim, const struct run_request *rq, int fork,
                     const char *output, struct progress *bar, bool show)
{
    char fork_base[4200], fork_path[8400];
    snprintf(fork_base, sizeof fork_base, "%s.fork", output);
    int status = mig_files_temp_begin(fork_base, fork_path, sizeof fork_path);
    if (status < 0)
        return status;
    status = mig_simulation_run_forking(sim, fork, fork_path, show ? show_progress : NULL, bar);
    if (status == 0)
        status = finish(sim, rq, output);
    for (int b = 0; status == 0 && b < rq->branches; b++) {
        struct simulation branch;
        char path[4200];
        branch_output(output, rq->branch[b], path, sizeof path);
        if ((status = mig_simulation_load(&branch, rq->branch[b], &rq->overrides)) == 0 &&
            (status = mig_simulation_run_branch(&branch, sim, fork, fork_path,
                                                show ? show_progress : NULL, bar)) == 0)
            status = finish(&branch, rq, path);
        mig_simulation_free(&branch);
    }
    remove(fork_path);
    mig_files_temp_end(fork_path);
    return status;
}

/* ---- the commands ---- */

/* run and ensemble: one scenario, with replicates, checkpoints or forks. */
static int command_run(const struct cli_args *a)
{
    struct run_request rq = {.scenario = a->args[0]};
    int replicates = 1, replicate = -1;
    int has = find_option(a->command, "replicate") != NULL;
    if (read_overrides(a, &rq.overrides) < 0 || apply_threads(a) < 0 ||
        opt_whole(a, "replicates", 1, 10000, 1, &replicates) < 0 ||
        (has && opt_whole(a, "replicate", 0, INT_MAX - 1, -1, &replicate) < 0))
        return 2;
    rq.quiet = opt_given(a, "quiet");
    const char *every = NULL, *checkpoint_option = NULL, *resume = NULL;
    if (find_option(a->command, "fork-at")) {
        rq.fork_at = opt_value(a, "fork-at");
        rq.branches = opt_values(a, "branch", rq.branch, 16);
        if (rq.branches > 16)
            return bad_usage("at most 16 --branch scenarios");
        every = opt_value(a, "checkpoint-every");
        checkpoint_option = opt_value(a, "checkpoint");
        resume = opt_value(a, "resume");
    }
    if (replicate >= 0 && replicates > 1)
        return bad_usage("--replicate K runs one member; it does not go with --replicates");
    if (rq.fork_at && (every || resume))
        return bad_usage("--fork-at does not go with --checkpoint-every or --resume (a fork "
                         "runs whole)");
    if (rq.fork_at && replicates > 1)
        return bad_usage("--fork-at runs one replicate (choose it with --replicate K); it does "
                         "not go with --replicates");
    if (replicate >= 0 && replicate > INT_MAX - replicates)
        return bad_usage("--replicate %d is too large", replicate);
    if ((rq.branches > 0) != (rq.fork_at != NULL))
        return bad_usage("--fork-at DATE and --branch ALT.yaml go together");
    if (checkpoint_option && !every)
        return bad_usage("--checkpoint CKPT.h5 goes with --checkpoint-every PERIOD");
    char output[4096];
    const char *given = opt_value(a, "output");
    if (given)
        snprintf(output, sizeof output, "%s", given);
    else
        default_output(rq.scenario, output, sizeof output);
    struct simulation sim;
    int status = mig_simulation_load(&sim, rq.scenario, &rq.overrides);
    int fork = 0;
    if (status == 0 && rq.fork_at)
        status = fork_step(&sim, rq.fork_at, &fork);
    if (status < 0)
        return fail(&sim, status);
    char checkpoint[4200];
    snprintf(checkpoint, sizeof checkpoint, "%s", checkpoint_option ? checkpoint_option : "");
    if (every) {
        sim.checkpoint_every = period_steps(every, sim.scenario.step_days);
        if (sim.checkpoint_every < 0) {
            mig_simulation_free(&sim);
            return bad_usage("--checkpoint-every expects N (steps), Nd (days) or Nw (weeks), "
                             "found '%s'",
                             every);
        }
        if (!checkpoint_option)
            snprintf(checkpoint, sizeof checkpoint, "%s.ckpt", output);
        sim.checkpoint = checkpoint;
    }
    /* Before any work: no output may replace an input, and each must be
     * writable. The checkpoint may replace the one resumed from. */
    struct inputs in = {0};
    add_simulation(&in, &sim);
    char branch_paths[16][4200];
    const char *outputs[18] = {output}, *options[18] = {"-o"};
    int outputs_count = 1;
    for (int b = 0; b < rq.branches; b++) {
        struct simulation branch;
        if ((status = mig_simulation_load(&branch, rq.branch[b], &rq.overrides)) == 0 &&
            (status = mig_simulation_check_branch(&sim, &branch, fork)) == 0)
            add_simulation(&in, &branch);
        mig_simulation_free(&branch);
        if (status < 0) {
            free_inputs(&in);
            return fail(&sim, status);
        }
        branch_output(output, rq.branch[b], branch_paths[b], sizeof branch_paths[b]);
        outputs[outputs_count] = branch_paths[b];
        options[outputs_count++] = "a --branch output";
    }
    int code = check_outputs(outputs, options, outputs_count, &in);
    if (code == 0 && sim.checkpoint) {
        outputs[outputs_count] = sim.checkpoint;
        options[outputs_count++] = "--checkpoint";
        code = check_outputs(outputs, options, outputs_count, &in);
    }
    add_input(&in, resume);
    if (code == 0)
        code = check_outputs(outputs, options, 1 + rq.branches, &in);
    free_inputs(&in);
    if (code != 0) {
        mig_simulation_free(&sim);
        return code;
    }
    mig_files_catch_signals(1);
    sim.resume = resume;
    sim.first_replicate = replicate > 0 ? replicate : 0;
    sim.replicate_index = replicate;
    struct progress bar = {now_seconds(), 0};
    for (int o = 0; o < sim.world.origins; o++)
        bar.agents += (double)mig_population_migrants_of(&sim.scenario, &sim.world, o);
    for (int r = 0; r < sim.world.regions; r++)
        bar.agents += (double)mig_population_residents_of(&sim.scenario, &sim.world, r);
    bool show = !rq.quiet && isatty(STDERR_FILENO) && mig_comm_rank() == 0;
    if (rq.fork_at)
        status = run_forks(&sim, &rq, fork, output, &bar, show);
    else if ((status = mig_simulation_run(&sim, replicates, show ? show_progress : NULL, &bar)) ==
             0)
        status = finish(&sim, &rq, output);
    if (sim.checkpoint) /* once the output is complete, its checkpoint is not needed */
        status = mig_checkpoint_finish(sim.checkpoint, status);
    if (status < 0)
        return fail(&sim, status);
    mig_simulation_free(&sim);
    return 0;
}

static int command_check(const struct cli_args *a)
{
    struct overrides overrides;
    if (read_overrides(a, &overrides) < 0)
        return 2;
    struct simulation sim;
    int status = mig_simulation_load(&sim, a->args[0], &overrides);
    if (status < 0)
        return fail(&sim, status);
    printf("%s: ok (%d steps, %d figures)\n", a->args[0], sim.runs[0].steps, sim.figures.count);
    mig_simulation_free(&sim);
    return 0;
}

static int command_compare(const struct cli_args *a)
{
    struct compare_options o = {opt_value(a, "at"), opt_value(a, "by"), opt_value(a, "output"),
                                command_line};
    struct inputs in = {0};
    add_input(&in, a->args[0]);
    add_input(&in, a->args[1]);
    int code = check_outputs(&o.output, (const char *const[]){"-o"}, 1, &in);
    free_inputs(&in);
    if (code)
        return code;
    int status = mig_compare(a->args[0], a->args[1], &o, stdout);
    if (status < 0)
        return report_error(status);
    if (o.output)
        printf("wrote %s\n", o.output);
    return 0;
}

static int command_calibrate(const struct cli_args *a)
{
    struct calibrate_options o = {.method = "nelder-mead",
                                  .replicates = 1,
                                  .budget = 100,
                                  .particles = 24,
                                  .min_acceptance = 0.01,
                                  .command_line = command_line};
    o.target_files = opt_values(a, "targets", o.targets, MIG_MAX_TARGET_FILES);
    if (o.target_files > MIG_MAX_TARGET_FILES)
        return bad_usage("at most %d --targets files", MIG_MAX_TARGET_FILES);
    o.free_count = opt_values(a, "free", o.free, MIG_MAX_FREE);
    if (o.free_count > MIG_MAX_FREE)
        return bad_usage("at most %d --free parameters", MIG_MAX_FREE);
    if (opt_given(a, "method"))
        o.method = opt_value(a, "method");
    if (opt_whole(a, "replicates", 1, 10000, 1, &o.replicates) < 0 ||
        opt_whole(a, "budget", 1, 10000000, 100, &o.budget) < 0 ||
        opt_whole(a, "particles", 1, 10000000, 24, &o.particles) < 0 ||
        opt_number(a, "scale", 0.01, 100000, 0, 0, &o.scale) < 0 ||
        opt_number(a, "tolerance", 0, 1e9, 0, 0, &o.tolerance) < 0 ||
        opt_number(a, "min-acceptance", 0, 1, 0, 0.01, &o.min_acceptance) < 0 ||
        opt_whole(a, "profile", 2, 1000, 0, &o.profile) < 0 ||
        opt_whole(a, "noise-seeds", 2, 1000, 0, &o.noise_seeds) < 0 ||
        opt_whole(a, "predictive", 2, 100000, 0, &o.predictive) < 0 || apply_threads(a) < 0)
        return 2;
    o.output = opt_value(a, "output");
    o.prior = opt_value(a, "prior");
    o.scenario = a->args[0];
    /* OUT.yaml and OUT.h5 must not replace the scenario, its parents, data,
     * targets or prior. */
    struct inputs in = {0};
    int status = add_scenario_inputs(&in, o.scenario, o.targets, o.target_files);
    if (status < 0)
        return report_error(status);
    add_input(&in, o.prior);
    char yaml[4200], h5[4200];
    snprintf(yaml, sizeof yaml, "%s.yaml", o.output);
    snprintf(h5, sizeof h5, "%s.h5", o.output);
    int code = check_outputs((const char *const[]){yaml, h5},
                             (const char *const[]){"-o (OUT.yaml)", "-o (OUT.h5)"}, 2, &in);
    free_inputs(&in);
    if (code)
        return code;
    status = mig_calibrate(&o, stdout);
    if (status < 0)
        return report_error(status);
    return 0;
}

static int command_sensitivity(const struct cli_args *a)
{
    struct sensitivity_options o = {
        .method = "sobol", .samples = 32, .levels = 4, .command_line = command_line};
    o.target_files = opt_values(a, "targets", o.targets, MIG_MAX_TARGET_FILES);
    if (o.target_files > MIG_MAX_TARGET_FILES)
        return bad_usage("at most %d --targets files", MIG_MAX_TARGET_FILES);
    o.free_count = opt_values(a, "free", o.free, MIG_MAX_FREE);
    if (o.free_count > MIG_MAX_FREE)
        return bad_usage("at most %d --free parameters", MIG_MAX_FREE);
    if (opt_given(a, "method"))
        o.method = opt_value(a, "method");
    if (opt_whole(a, "samples", 2, 1000000, 32, &o.samples) < 0 ||
        opt_whole(a, "levels", 1, 1000, 4, &o.levels) < 0 ||
        opt_number(a, "scale", 0.01, 100000, 0, 0, &o.scale) < 0 || apply_threads(a) < 0)
        return 2;
    o.alternative = opt_value(a, "alt");
    o.output = opt_value(a, "output");
    o.scenario = a->args[0];
    /* The output must not replace the scenario, its parents, data, targets
     * or the alternative. */
    struct inputs in = {0};
    int status = add_scenario_inputs(&in, o.scenario, o.targets, o.target_files);
    if (status < 0)
        return report_error(status);
    add_input(&in, o.alternative);
    int code = o.output ? check_outputs(&o.output, (const char *const[]){"-o"}, 1, &in) : 0;
    free_inputs(&in);
    if (code)
        return code;
    status = mig_sensitivity(&o, stdout);
    return status < 0 ? report_error(status) : 0;
}

static int command_targets_import(const struct cli_args *a)
{
    const char *output = opt_value(a, "output");
    struct inputs in = {0};
    add_input(&in, a->args[0]);
    int code = output ? check_outputs(&output, (const char *const[]){"-o"}, 1, &in) : 0;
    free_inputs(&in);
    if (code)
        return code;
    int status = mig_targets_import(a->args[0], output, command_line);
    if (status < 0)
        return report_error(status);
    printf("wrote %s\n", opt_value(a, "output"));
    return 0;
}

static int command_report(const struct cli_args *a)
{
    struct report_options o = {.run = a->args[0],
                               .calibration = opt_value(a, "calibration"),
                               .sensitivity = opt_value(a, "sensitivity"),
                               .output = opt_value(a, "output")};
    o.compare_count = opt_values(a, "compare", o.compare, MIG_REPORT_MAX_COMPARE);
    if (o.compare_count > MIG_REPORT_MAX_COMPARE)
        return bad_usage("at most %d --compare runs", MIG_REPORT_MAX_COMPARE);
    struct inputs in = {0};
    add_input(&in, o.run);
    for (int i = 0; i < o.compare_count && i < MIG_REPORT_MAX_COMPARE; i++)
        add_input(&in, o.compare[i]);
    add_input(&in, o.calibration);
    add_input(&in, o.sensitivity);
    int code = check_outputs(&o.output, (const char *const[]){"-o"}, 1, &in);
    free_inputs(&in);
    if (code)
        return code;
    int status = mig_report_write(&o);
    if (status < 0)
        return report_error(status);
    printf("wrote %s\n", o.output);
    return 0;
}

static int command_export(const struct cli_args *a)
{
    struct export_options o = {.run = a->args[0],
                               .output = opt_value(a, "output"),
                               .format = opt_value(a, "format"),
                               .base = opt_value(a, "compare"),
                               .command_line = command_line};
    /* Before any work: neither the workbook nor a CSV table may replace the
     * run or the base; each is a regular file or a new name. A CSV export's
     * folder is an existing folder or a new name (then made). */
    char files[16][4200];
    int folder = 0, n = mig_export_files(&o, files, 16, &folder);
    if (n < 0)
        return report_error(n);
    struct inputs in = {0};
    add_input(&in, o.run);
    add_input(&in, o.base);
    const char *outputs[16], *options[16];
    for (int i = 0; i < n; i++)
        outputs[i] = files[i], options[i] = "-o";
    struct stat st;
    int code;
    if (folder && stat(o.output, &st) == 0 && !S_ISDIR(st.st_mode))
        code = report_error(mig_fail(MIG_EINPUT,
                                     "%s: error: -o is not a folder; expected a folder for the "
                                     "CSV files (or a name ending in .xlsx)",
                                     o.output));
    else if (folder && stat(o.output, &st) != 0)
        code = check_outputs(&o.output, options, 1, &in);
    else
        code = check_outputs(outputs, options, n, &in);
    free_inputs(&in);
    if (code)
        return code;
    int status = mig_export_write(&o);
    if (status < 0)
        return report_error(status);
    printf("wrote %s\n", o.output);
    return 0;
}

static int command_merge(const struct cli_args *a)
{
    const char *output = opt_value(a, "output");
    struct inputs in = {0};
    for (int i = 0; i < a->count; i++)
        add_input(&in, a->args[i]);
    int status = check_outputs(&output, (const char *const[]){"-o"}, 1, &in);
    free_inputs(&in);
    if (status)
        return status;
    char note[1536];
    if ((status = mig_ensemble_merge((const char *const *)a->args, a->count, output, command_line,
                                     note, sizeof note)) < 0)
        return report_error(status);
    if (note[0])
        fprintf(stderr, "migsim: note: %s\n", note);
    printf("wrote %s (%d members)\n", output, a->count);
    return 0;
}

static const char *type_name(enum mig_param_type type)
{
    static const char *const names[] = {"real", "integer",   "date",   "text",
                                        "path", "by origin", "regions"};
    return names[type];
}

static int command_params(const struct cli_args *a)
{
    if (opt_given(a, "yaml")) {
        mig_scenario_write_reference(stdout);
        return 0;
    }
    if (opt_given(a, "provenance")) {
        mig_scenario_write_provenance(stdout);
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

static int command_stats(const struct cli_args *a)
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

/* A bench run's seconds by stage, the warm-up, and the rest of its wall
 * time (drawing and placing the agents), ending its line; under MPI rank 0
 * then prints every other rank's own, one line each, for the balance
 * between them (`reduce` holds a rank's wait for the others). */
static int print_stages(FILE *out, const struct engine *e, double wall)
{
    size_t n;
    const struct mig_stage *stages = mig_engine_stages(&n);
    double mine[MIG_MAX_STAGES + 2], *all = NULL;
    size_t bytes = (n + 2) * sizeof *mine;
    memcpy(mine, e->stage_seconds, n * sizeof *mine);
    mine[n] = e->warmup_seconds;
    mine[n + 1] = wall;
    int status = 0, ranks = mig_comm_size();
    if (ranks > 1 && (status = mig_comm_gather(mine, bytes, (void **)&all, &bytes)) < 0)
        return status;
    for (int r = 0; out && r < ranks; r++) {
        const double *seconds = ranks > 1 ? all + (size_t)r * (n + 2) : mine;
        double staged = 0;
        if (r > 0)
            fprintf(out, "     rank %-3d %29s", r, "");
        for (size_t k = 0; k < n; k++) {
            fprintf(out, " %s %.2f", stages[k].name, seconds[k]);
            staged += seconds[k];
        }
        fprintf(out, " warmup %.2f setup %.2f\n", seconds[n], seconds[n + 1] - staged - seconds[n]);
    }
    free(all);
    return 0;
}

static int command_bench(const struct cli_args *a)
{
    struct overrides overrides;
    int repeat;
    if (read_overrides(a, &overrides) < 0 || apply_threads(a) < 0 ||
        opt_whole(a, "repeat", 1, 1000, 5, &repeat) < 0)
        return 2;
    mig_files_catch_signals(1);
    double *wall = calloc((size_t)repeat, sizeof *wall);
    if (!wall) {
        fprintf(stderr, "migsim: out of memory\n");
        return 1;
    }
    double agents = 0, steps = 0;
    /* Under MPI every rank runs its share; rank 0 speaks for them. */
    FILE *out = mig_comm_rank() == 0 ? stdout : NULL;
    if (out)
        fprintf(out, "%-4s %9s %16s %8s\n", "run", "wall_s", "agent_steps/s", "threads");
    for (int i = 0; i < repeat; i++) {
        struct simulation sim;
        int status = mig_simulation_load(&sim, a->args[0], &overrides);
        double started = now_seconds();
        if (status < 0 || (status = mig_simulation_run(&sim, 1, NULL, NULL)) < 0) {
            free(wall);
            return fail(&sim, status);
        }
        wall[i] = now_seconds() - started;
        agents = (double)(sim.population.migrants + sim.population.residents);
        steps = sim.runs[0].steps;
        if (out)
            fprintf(out, "%-4d %9.3f %16.4g %8d   ", i + 1, wall[i], agents * steps / wall[i],
                    omp_get_max_threads());
        if ((status = print_stages(out, &sim.engine, wall[i])) < 0) {
            free(wall);
            return fail(&sim, status);
        }
        mig_simulation_free(&sim);
    }
    qsort(wall, (size_t)repeat, sizeof *wall, compare_doubles);
    double median = repeat % 2 ? wall[repeat / 2] : (wall[repeat / 2 - 1] + wall[repeat / 2]) / 2;
    struct rusage resources;
    getrusage(RUSAGE_SELF, &resources);
    double peak = resources.ru_maxrss * 1024.0;
    if (out)
        fprintf(out,
                "median: %.3f s wall, %.4g agent-steps/s, %d threads, %.0f agents x %.0f steps, "
                "peak memory %.1f MiB (%.1f bytes per agent), draws in %s%s\n",
                median, agents * steps / median, omp_get_max_threads(), agents, steps,
                peak / 1048576.0, peak / agents, mig_rng_instructions(),
                mig_population_bit_instructions ? ", bits by popcnt and pdep" : "");
    free(wall);
    return 0;
}

static const struct cli_command *find_command(int argc, char **argv, int *words);

static int command_help(const struct cli_args *a)
{
    if (a->count == 0) {
        print_usage(stdout);
        return 0;
    }
    int words;
    const struct cli_command *c = find_command(a->count, a->args, &words);
    if (!c)
        return bad_usage("no command '%s'", a->args[0]);
    print_command_help(stdout, c);
    return 0;
}

/* ---- the command table ---- */

/* Option rows shared by several commands. */
#define OPT_OUTPUT(PLACEHOLDER, HELP)                                                              \
    {                                                                                              \
        "output", 'o', PLACEHOLDER, 0, HELP                                                        \
    }
#define OPT_OUTPUT_REQUIRED(PLACEHOLDER, HELP)                                                     \
    {                                                                                              \
        "output", 'o', PLACEHOLDER, CLI_REQUIRED, HELP                                             \
    }
#define OPT_SEED                                                                                   \
    {                                                                                              \
        "seed", 0, "N", 0, "the random seed, over the scenario's (a whole number)"                 \
    }
#define OPT_THREADS                                                                                \
    {                                                                                              \
        "threads", 0, "N", 0, "OpenMP threads (default: OMP_NUM_THREADS or all cores)"             \
    }
#define OPT_SCALE                                                                                  \
    {                                                                                              \
        "scale", 0, "S", 0, "persons per agent, over the scenario's (0.01 to 100000)"              \
    }
#define OPT_QUIET                                                                                  \
    {                                                                                              \
        "quiet", 'q', NULL, 0, "print nothing on stdout, no progress bar"                          \
    }

static const struct cli_option run_options[] = {
    OPT_OUTPUT("FILE.h5", "the output (default output/NAME.h5, NAME the scenario file's name)"),
    OPT_SEED,
    OPT_THREADS,
    OPT_SCALE,
    {"replicates", 0, "N", 0, "run N replicates with seeds derived from the scenario's"},
    {"replicate", 0, "K", 0, "run member K of an ensemble (job arrays; see merge)"},
    OPT_QUIET,
    {"checkpoint-every", 0, "PERIOD", 0,
     "write a checkpoint every PERIOD: N steps, Nd days or Nw weeks"},
    {"checkpoint", 0, "CKPT.h5", 0, "where checkpoints go (default FILE.h5.ckpt)"},
    {"resume", 0, "CKPT.h5", 0, "continue from a checkpoint of this scenario"},
    {"fork-at", 0, "DATE", 0, "run the scenario once to DATE, then each --branch from there"},
    {"branch", 0, "ALT.yaml", CLI_REPEAT,
     "a scenario differing only in events from the fork on (up to 16)"},
    CLI_END};

static const struct cli_option ensemble_options[] = {
    {"replicates", 0, "N", CLI_REQUIRED, "how many replicates (1 to 10000)"},
    OPT_OUTPUT("FILE.h5", "the output (default output/NAME.h5)"),
    OPT_SEED,
    OPT_THREADS,
    OPT_SCALE,
    OPT_QUIET,
    CLI_END};

static const struct cli_option check_options[] = {OPT_SEED, OPT_SCALE, CLI_END};

static const struct cli_option compare_options_table[] = {
    {"at", 0, "DATE", 0, "stocks at DATE and flows up to it (default: the end of the runs)"},
    {"by", 0, "origin|region|sector", 0, "break the differences down"},
    OPT_OUTPUT("DIFF.h5", "write the differences over time in the run schema"),
    CLI_END};

static const struct cli_option calibrate_options_table[] = {
    {"targets", 0, "T.yaml", CLI_REQUIRED | CLI_REPEAT, "a targets file (up to 8)"},
    {"free", 0, "NAME[:lo:hi]", CLI_REQUIRED | CLI_REPEAT,
     "a parameter to fit, with optional bounds (up to 16)"},
    {"method", 0, "nelder-mead|abc-smc", 0, "the search (default nelder-mead)"},
    {"replicates", 0, "R", 0, "replicates averaged per evaluation (default 1)"},
    {"budget", 0, "N", 0, "simulations at most (default 100)"},
    {"particles", 0, "N", 0, "ABC-SMC population size (default 24)"},
    OPT_SCALE,
    {"prior", 0, "OUT.h5", 0,
     "an earlier ABC-SMC trace whose posterior (its last complete generation) is the prior"},
    {"tolerance", 0, "EPS", 0, "ABC-SMC: stop once every particle is within EPS (default off)"},
    {"min-acceptance", 0, "RATE", 0,
     "ABC-SMC: stop after a generation accepting fewer than RATE of its proposals (default "
     "0.01)"},
    {"profile", 0, "K", 0, "the objective at K values across each parameter's bounds"},
    {"noise-seeds", 0, "K", 0, "the objective's sd over K seeds at the fit (simulation noise)"},
    {"predictive", 0, "M", 0,
     "ABC-SMC: 90% posterior predictive bands of every figure from M posterior draws"},
    OPT_THREADS,
    OPT_OUTPUT_REQUIRED("OUT", "writes OUT.yaml (the calibrated scenario) and OUT.h5 (the trace)"),
    CLI_END};

static const struct cli_option sensitivity_options_table[] = {
    {"free", 0, "NAME:lo:hi", CLI_REQUIRED | CLI_REPEAT,
     "a parameter to vary over [lo, hi] (up to 16)"},
    {"method", 0, "sobol|morris", 0, "Sobol' indices or Morris screening (default sobol)"},
    {"samples", 0, "N", 0,
     "Sobol': base points, N (d + 2) runs (default 32); Morris: trajectories, N (d + 1) runs"},
    {"levels", 0, "P", 0, "Morris: levels of the grid, even (default 4)"},
    {"alt", 0, "ALT.yaml", 0, "a what-if scenario: also the indices of its effect ALT minus base"},
    {"targets", 0, "T.yaml", CLI_REPEAT, "the figures (default: the scenario's own)"},
    OPT_SCALE,
    OPT_THREADS,
    OPT_OUTPUT_REQUIRED("OUT.h5", "the design, every run's figures and the indices"),
    CLI_END};

static const struct cli_option targets_import_options[] = {
    OPT_OUTPUT_REQUIRED("T.yaml", "the targets file to write"), CLI_END};

static const struct cli_option report_options_table[] = {
    {"compare", 0, "ALT.h5", CLI_REPEAT, "an option shown against RUN, the baseline (up to six)"},
    {"calibration", 0, "CAL.h5", 0, "a calibration trace, for the fit chart"},
    {"sensitivity", 0, "SENS.h5", 0, "a sensitivity analysis, for its chart"},
    OPT_OUTPUT_REQUIRED("REPORT.html", "the HTML file"),
    CLI_END};

static const struct cli_option export_options_table[] = {
    OPT_OUTPUT_REQUIRED("FILE.xlsx|FOLDER", "the workbook, or the folder of CSV files"),
    {"format", 0, "xlsx|csv", 0, "the format (default: xlsx for a name ending in .xlsx, else csv)"},
    {"compare", 0, "BASE.h5", 0, "add the differences RUN minus BASE (a run with the same seed)"},
    CLI_END};

static const struct cli_option merge_options[] = {
    OPT_OUTPUT_REQUIRED("ENSEMBLE.h5", "the ensemble file"), CLI_END};

static const struct cli_option params_options[] = {
    {"yaml", 0, NULL, 0, "write the reference scenario (every key, default, unit and bounds)"},
    {"provenance", 0, NULL, 0,
     "write a Markdown table of every coefficient's default and where it comes from"},
    CLI_END};

static const struct cli_option no_options[] = {CLI_END};

static const struct cli_option bench_options[] = {
    {"repeat", 0, "N", 0, "runs to time (default 5)"}, OPT_THREADS, OPT_SCALE, OPT_SEED, CLI_END};

static const struct cli_command commands[] = {
    {"run", "SCENARIO.yaml", 1, 1, run_options,
     "run a scenario, print its figures table, write FILE.h5",
     "Replicates use seeds derived from the scenario's. --checkpoint-every writes the complete\n"
     "state atomically; --resume continues byte-identically. SIGINT or SIGTERM stops the run\n"
     "cleanly (with --checkpoint-every, after writing a final checkpoint).\n",
     command_run, CLI_ALL_RANKS},
    {"check", "SCENARIO.yaml", 1, 1, check_options,
     "validate the scenario, its data and figures without running", "", command_check, 0},
    {"compare", "BASE.h5 ALT.h5", 2, 2, compare_options_table,
     "paired differences ALT minus BASE (90% intervals over replicates)",
     "With replicates: the 90% confidence interval of the mean difference (t with N - 1\n"
     "degrees of freedom) and the 90% prediction interval of one more pair; the two files\n"
     "must pair (same seed and replicate indices).\n",
     command_compare, 0},
    {"calibrate", "SCENARIO.yaml", 1, 1, calibrate_options_table,
     "fit parameters to targets; writes OUT.yaml and OUT.h5, prints the fit table",
     "Only `fit` figures enter the objective; `validate` (held out) and `input` (parameters\n"
     "read back) figures are reported beside. ABC-SMC stops at the budget, at --tolerance, or\n"
     "at --min-acceptance; --profile and --noise-seeds add identifiability and noise checks.\n",
     command_calibrate, CLI_ALL_RANKS},
    {"sensitivity", "SCENARIO.yaml", 1, 1, sensitivity_options_table,
     "global sensitivity of every figure (and of a what-if effect) to the free parameters",
     "Sobol': first-order (Saltelli 2010) and total (Jansen) indices on GSL's quasi-random\n"
     "Sobol' design; Morris: mu*, mu and sigma of the elementary effects. Every run uses the\n"
     "scenario's seed (common random numbers); --alt runs the what-if with the same numbers.\n",
     command_sensitivity, 0},
    {"targets import", "FILE.csv", 1, 1, targets_import_options,
     "a table of survey figures into a targets file",
     "Columns: id, statistic, key, date (or from and to), value, one uncertainty (sd; lower\n"
     "and upper; at_least or at_most, with an optional sd; survey, the respondents of a\n"
     "share), and optional sample, role (fit, validate, input), weight, label or\n"
     "description, source; other columns are ignored. A bad row is reported as\n"
     "file:line:col and nothing is written.\n",
     command_targets_import, 0},
    {"ensemble", "SCENARIO.yaml", 1, 1, ensemble_options,
     "replicates in one file with the mean and 5/50/95% quantiles of every series",
     "Under MPI, replicates spread over ranks.\n", command_run, CLI_ALL_RANKS},
    {"merge", "MEMBER.h5 MEMBER.h5...", 2, -1, merge_options,
     "join job-array members (run --replicate K) into an ensemble", "", command_merge, 0},
    {"report", "RUN.h5", 1, 1, report_options_table,
     "a self-contained HTML report with charts and a map",
     "With --compare, RUN is the baseline and each ALT.h5 an option: a table of their headline\n"
     "effects and one line per option in the difference charts.\n",
     command_report, 0},
    {"export", "RUN.h5", 1, 1, export_options_table,
     "the run's tables for spreadsheets (.xlsx or CSV)",
     "Tidy long tables (date, origin, region, sector, driver, variable, value, unit), the\n"
     "figures with their roles, the provenance, the scenario and its parameters; with\n"
     "--compare, the differences and a summary of them.\n",
     command_export, 0},
    {"params", "", 0, 0, params_options,
     "every parameter and timeline event: default, bounds, unit, meaning", "", command_params, 0},
    {"stats", "", 0, 0, no_options, "every named statistic figures can use", "", command_stats, 0},
    {"bench", "SCENARIO.yaml", 1, 1, bench_options,
     "time full runs: agent-steps per second, wall time, memory",
     "Under MPI the run is split over the ranks, as `run` does; the times and the peak memory\n"
     "are rank 0's. The median line ends with the instruction set the random draws use and\n"
     "whether bits are counted by popcnt and pdep (every choice gives the same numbers).\n",
     command_bench, CLI_ALL_RANKS},
    {"help", "[COMMAND]", 0, 2, no_options, "this list, or a command's options", "", command_help,
     0},
};

static const struct cli_command *commands_table(size_t *n)
{
    *n = sizeof commands / sizeof commands[0];
    return commands;
}

/* The row for argv[0] (and argv[1] for two-word commands); `words` says
 * how many words the name took. */
static const struct cli_command *find_command(int argc, char **argv, int *words)
{
    size_t n;
    const struct cli_command *table = commands_table(&n);
    const struct cli_command *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = table[i].name, *space = strchr(name, ' ');
        if (!space) {
            if (!best && !strcmp(name, argv[0])) {
                best = &table[i];
                *words = 1;
            }
        } else if (argc > 1 && !strncmp(name, argv[0], (size_t)(space - name)) &&
                   argv[0][space - name] == '\0' && !strcmp(space + 1, argv[1])) {
            *words = 2;
            return &table[i]; /* a subcommand wins over its first word */
        }
    }
    return best;
}

static int dispatch(const struct cli_command *c, int argc, char **argv)
{
    current_command = c->name;
    struct cli_args *a = calloc(1, sizeof *a);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!a || !args) {
        free(a);
        free(args);
        fprintf(stderr, "migsim: out of memory\n");
        return 1;
    }
    a->args = args;
    int help, code = parse_command_line(c, argc, argv, a, &help);
    if (code == 0 && help) {
        if (mig_comm_rank() == 0)
            print_command_help(stdout, c);
    } else if (code == 0) {
        code = c->handler(a);
    }
    free(args);
    free(a);
    return code;
}

int main(int argc, char **argv)
{
    mig_output_library_init();
    join_arguments(argc, argv);
    if (mig_comm_init(&argc, &argv) < 0) {
        fprintf(stderr, "migsim: %s\n", mig_strerror());
        return 1;
    }
    /* Writers remove their temporary files when a signal ends the process;
     * runs stop cooperatively (command_run). */
    mig_files_catch_signals(0);
    int code = 0, words = 1;
    const struct cli_command *c = argc > 1 ? find_command(argc - 1, argv + 1, &words) : NULL;
    /* Under MPI, runs, ensembles and calibrations use every rank; other
     * commands run once, on rank 0. */
    if (c && (c->flags & CLI_ALL_RANKS))
        code = dispatch(c, argc - 1 - words, argv + 1 + words);
    else if (mig_comm_rank() == 0) {
        mig_comm_alone();
        if (c)
            code = dispatch(c, argc - 1 - words, argv + 1 + words);
        else if (argc < 2)
            code = bad_usage("expected a command");
        else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
            print_usage(stdout);
        else if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
            printf("migsim %s\n", MIGSIM_VERSION);
        else if (!strcmp(argv[1], "--help-man"))
            print_man(stdout);
        else if (!strcmp(argv[1], "--completion") && argc == 3 && !strcmp(argv[2], "bash"))
            print_completion_bash(stdout);
        else if (argv[1][0] == '-')
            code = bad_usage("unknown option '%s'", argv[1]);
        else
            code = bad_usage("unknown command '%s'", argv[1]);
    }
    /* Output that never reached its file (a full disk, a closed pipe) is a
     * failure, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "migsim: error: cannot write to standard output: %s\n", strerror(errno));
        if (code == 0)
            code = 1;
    }
    mig_output_library_close();
    mig_comm_finalize();
    return code;
}
