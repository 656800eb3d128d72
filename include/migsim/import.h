/* Importing survey figures from a CSV table (id, statistic, key, date or
 * from/to, value, one uncertainty form: sd | lower and upper | at_least or
 * at_most [with sd] | survey, and optional sample, role, weight, label or
 * description, source; other columns ignored) into a targets file. */
#ifndef MIGSIM_IMPORT_H
#define MIGSIM_IMPORT_H

/* Checks every row (file:line:col errors, MIG_EINPUT) and writes the YAML
 * atomically; nothing is written when a row is bad. */
int mig_targets_import(const char *csv_path, const char *yaml_path, const char *command_line);

#endif
