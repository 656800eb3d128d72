/* Event types, event fields, and reading a `timeline:` list. */
#include "migsim/timeline.h"
#include "migsim/date.h"
#include "migsim/error.h"

#include <libfyaml.h>
#include <stdio.h>
#include <string.h>

static const struct mig_event_type types[] = {
    [MIG_EVENT_WAGE] = {"wage_shock", MIG_TARGET_ORIGIN_OR_REGION, 0, 1, -0.95, 10, "fraction",
                        "relative change of mean wages (in USD) at an origin, in a region, or in "
                        "all regions (target KAZ); -0.2 cuts wages by 20%"},
    [MIG_EVENT_EXCHANGE_RATE] = {"exchange_rate_shock", MIG_TARGET_ORIGIN_OR_REGION, 0, 1, -0.95,
                                 10, "fraction",
                                 "relative change of the USD value of a currency: of an origin's "
                                 "(its wages in USD) or of the tenge (target KAZ: wages in all "
                                 "regions in USD); -0.3 is a 30% devaluation"},
    [MIG_EVENT_BORDER_CLOSED] = {"border_closed", MIG_TARGET_ORIGIN_OR_ALL, 0, 0, 0, 0, "",
                                 "border closed to an origin: no entries, visits or returns"},
    [MIG_EVENT_PERMIT_FEE] = {"permit_fee", MIG_TARGET_ORIGIN_OR_ALL, 0, 1, 0, 10000, "USD/month",
                              "monthly work-permit fee for an origin (EAEU members stay exempt)"},
    [MIG_EVENT_QUOTA] = {"quota", MIG_TARGET_ORIGIN_OR_ALL, 0, 1, 0, 1e9, "persons per year",
                         "work-permit quota on entries from an origin (0 removes it; EAEU "
                         "members exempt)"},
    [MIG_EVENT_REMITTANCE_FEE] = {"remittance_fee", MIG_TARGET_NONE, 0, 1, 0, 0.5, "fraction",
                                  "service fee on remittances"},
    [MIG_EVENT_CLIMATE] = {"climate_shock", MIG_TARGET_REGION_OR_ALL, 0, 1, -1, 1, "stress",
                           "climate stress added in a region (capped to 0..1): pushes residents "
                           "and migrant workers out, and deters newcomers"},
    [MIG_EVENT_SECTOR_DEMAND] = {"sector_demand", MIG_TARGET_REGION_OR_ALL, 1, 1, -0.95, 10,
                                 "fraction",
                                 "relative change of a sector's demand for migrant workers in a "
                                 "region; workers in a shrinking sector return more"},
    [MIG_EVENT_RESETTLEMENT] = {"resettlement", MIG_TARGET_REGION, 0, 1, 0, 1e7, "persons per year",
                                "resettlement programme quota for a destination region, with an "
                                "optional subsidy that raises how much of it is filled"},
};

static const struct mig_event_field fields[] = {
    {"event", "text", "required", "", "the event type (see the list of event types)"},
    {"target", "code", "by type", "",
     "origin code, region code, KAZ (all regions) or all, as the type allows"},
    {"sector", "code", "by type", "", "sector code, for sector_demand"},
    {"start", "date", "required", "date", "first day the event acts; within the run"},
    {"end", "date", "none", "date",
     "last day the event acts (inclusive); none for the rest of the run"},
    {"ramp_days", "real", "0", "days", "the effect grows linearly from 0 to full over these days"},
    {"value", "real", "by type", "as the type", "the size of the event (see each type's unit)"},
    {"subsidy_usd", "real", "0", "USD per person", "resettlement subsidy paid to each mover"},
};

const struct mig_event_type *mig_timeline_types(size_t *count)
{
    *count = sizeof types / sizeof types[0];
    return types;
}

const struct mig_event_field *mig_timeline_fields(size_t *count)
{
    *count = sizeof fields / sizeof fields[0];
    return fields;
}

static int find_type(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int read_number(const char *path, struct fy_node *node, const char *key, double lo,
                       double hi, const char *unit, double *out)
{
    char expected[128];
    snprintf(expected, sizeof expected, "a number in [%g, %g]%s%s%s", lo, hi, unit[0] ? " (" : "",
             unit, unit[0] ? ")" : "");
    int status = mig_yaml_number(path, node, key, expected, out);
    if (status < 0)
        return status;
    if (*out < lo || *out > hi)
        return mig_yaml_error(path, node, "'%s' is %g, out of range: expected %s", key, *out,
                              expected);
    return 0;
}

static int check_keys(const char *path, struct fy_node *map)
{
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(map, &iter))) {
        char key[64];
        struct fy_node *k = fy_node_pair_key(pair);
        int status = mig_yaml_text(path, k, "an event", "a key", key, sizeof key);
        if (status < 0)
            return status;
        size_t i = 0;
        while (i < sizeof fields / sizeof fields[0] && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == sizeof fields / sizeof fields[0])
            return mig_yaml_error(path, k,
                                  "unknown key '%s' in an event; expected event, target, "
                                  "sector, start, end, ramp_days, value or subsidy_usd",
                                  key);
    }
    return 0;
}

static struct fy_node *field(struct fy_node *map, const char *name)
{
    return fy_node_mapping_lookup_by_string(map, name, -1);
}

static int read_event(const char *path, struct fy_node *map, struct mig_event *e)
{
    if (fy_node_get_type(map) != FYNT_MAPPING)
        return mig_yaml_error(path, map,
                              "each timeline entry expects a mapping with event, "
                              "start and value");
    int status = check_keys(path, map);
    if (status < 0)
        return status;
    memset(e, 0, sizeof *e);
    e->mark = mig_yaml_mark(map);
    e->end = MIG_NO_END;
    char name[64];
    struct fy_node *n = field(map, "event");
    if (!n)
        return mig_yaml_error(path, map, "a timeline entry expects 'event' (its type)");
    if ((status = mig_yaml_text(path, n, "event", "an event type", name, sizeof name)) < 0)
        return status;
    int kind = find_type(name);
    if (kind < 0)
        return mig_yaml_error(path, n,
                              "unknown event type '%s'; expected one of wage_shock, "
                              "exchange_rate_shock, border_closed, permit_fee, quota, "
                              "remittance_fee, climate_shock, sector_demand, resettlement",
                              name);
    const struct mig_event_type *type = &types[kind];
    e->kind = (enum mig_event_kind)kind;
    if (!(n = field(map, "start")))
        return mig_yaml_error(path, map, "event '%s' expects a 'start' date", name);
    e->start_mark = mig_yaml_mark(n);
    if ((status = mig_yaml_date(path, n, "start", &e->start)) < 0)
        return status;
    if ((n = field(map, "end"))) {
        if ((status = mig_yaml_date(path, n, "end", &e->end)) < 0)
            return status;
        if (e->end < e->start)
            return mig_yaml_error(path, n,
                                  "'end' is before 'start'; expected an end on or after "
                                  "the start");
    }
    if ((n = field(map, "ramp_days")) &&
        (status = read_number(path, n, "ramp_days", 0, 36500, "days", &e->ramp_days)) < 0)
        return status;
    n = field(map, "target");
    if (type->target == MIG_TARGET_NONE && n)
        return mig_yaml_error(path, n, "event '%s' takes no target", name);
    if (type->target != MIG_TARGET_NONE) {
        if (!n)
            return mig_yaml_error(path, map, "event '%s' expects a 'target'", name);
        e->target_mark = mig_yaml_mark(n);
        if ((status = mig_yaml_text(path, n, "target", "a code", e->target, sizeof e->target)) < 0)
            return status;
    }
    n = field(map, "sector");
    if (!type->needs_sector && n)
        return mig_yaml_error(path, n, "event '%s' takes no sector", name);
    if (type->needs_sector) {
        if (!n)
            return mig_yaml_error(path, map, "event '%s' expects a 'sector'", name);
        e->sector_mark = mig_yaml_mark(n);
        if ((status = mig_yaml_text(path, n, "sector", "a sector code", e->sector,
                                    sizeof e->sector)) < 0)
            return status;
    }
    n = field(map, "value");
    if (!type->needs_value && n)
        return mig_yaml_error(path, n, "event '%s' takes no value", name);
    if (type->needs_value) {
        if (!n)
            return mig_yaml_error(path, map, "event '%s' expects a 'value' (%s)", name, type->unit);
        if ((status = read_number(path, n, "value", type->lo, type->hi, type->unit, &e->value)) < 0)
            return status;
    }
    n = field(map, "subsidy_usd");
    if (n && e->kind != MIG_EVENT_RESETTLEMENT)
        return mig_yaml_error(path, n, "only resettlement events take 'subsidy_usd'");
    if (n && (status = read_number(path, n, "subsidy_usd", 0, 1e6, "USD per person",
                                   &e->subsidy_usd)) < 0)
        return status;
    return 0;
}

int mig_timeline_parse(struct timeline *tl, const char *path, int file, struct fy_node *list)
{
    if (!list || fy_node_get_type(list) != FYNT_SEQUENCE)
        return mig_yaml_error(path, list, "'timeline' expects a list of events");
    void *iter = NULL;
    struct fy_node *item;
    long previous = 0;
    int first = 1;
    while ((item = fy_node_sequence_iterate(list, &iter))) {
        if (tl->count == MIG_MAX_EVENTS)
            return mig_yaml_error(path, item, "more than %d events; expected fewer",
                                  MIG_MAX_EVENTS);
        struct mig_event *e = &tl->event[tl->count];
        int status = read_event(path, item, e);
        if (status < 0)
            return status;
        if (!first && e->start < previous)
            return mig_yaml_error(path, fy_node_mapping_lookup_by_string(item, "start", -1),
                                  "events are out of order: this one starts before the one "
                                  "above; expected events listed by start date");
        first = 0;
        previous = e->start;
        e->file = file;
        tl->count++;
    }
    return 0;
}

double mig_event_strength(const struct mig_event *e, long day)
{
    if (day < e->start || day > e->end)
        return 0.0;
    if (e->ramp_days <= 0)
        return 1.0;
    double f = (double)(day - e->start + 1) / e->ramp_days;
    return f < 1.0 ? f : 1.0;
}

const char *mig_timeline_target_text(enum mig_target target)
{
    static const char *const text[] = {
        [MIG_TARGET_NONE] = "none",
        [MIG_TARGET_ORIGIN] = "origin",
        [MIG_TARGET_ORIGIN_OR_ALL] = "origin or all",
        [MIG_TARGET_REGION] = "region",
        [MIG_TARGET_REGION_OR_ALL] = "region or all",
        [MIG_TARGET_ORIGIN_OR_REGION] = "origin, region or KAZ",
    };
    return text[target];
}

long mig_timeline_first_day(const struct timeline *tl)
{
    long first = MIG_NO_END;
    for (int i = 0; i < tl->count; i++)
        if (tl->event[i].start < first)
            first = tl->event[i].start;
    return first;
}

const struct mig_event *mig_timeline_starting_outside(const struct timeline *tl, long from, long to)
{
    for (int i = 0; i < tl->count; i++)
        if (tl->event[i].start < from || tl->event[i].start > to)
            return &tl->event[i];
    return NULL;
}

bool mig_timeline_event_same(const struct mig_event *a, const struct mig_event *b)
{
    return a->kind == b->kind && strcmp(a->target, b->target) == 0 &&
           strcmp(a->sector, b->sector) == 0 && a->start == b->start && a->end == b->end &&
           a->ramp_days == b->ramp_days && a->value == b->value && a->subsidy_usd == b->subsidy_usd;
}
