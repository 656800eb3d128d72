/* The scenario's timeline: dated events (shocks and policies), each acting
 * on a named target from a start date, optionally until an end date and
 * with a linear ramp. Event types and their fields are declared once, in the
 * tables behind mig_timeline_types() and mig_timeline_fields(); policy.c
 * applies them. */
#ifndef MIGSIM_TIMELINE_H
#define MIGSIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "migsim/yaml.h"

#define MIG_MAX_EVENTS 64
#define MIG_NO_END 99999999L

enum mig_event_kind {
    MIG_EVENT_WAGE,
    MIG_EVENT_EXCHANGE_RATE,
    MIG_EVENT_BORDER_CLOSED,
    MIG_EVENT_PERMIT_FEE,
    MIG_EVENT_QUOTA,
    MIG_EVENT_REMITTANCE_FEE,
    MIG_EVENT_CLIMATE,
    MIG_EVENT_SECTOR_DEMAND,
    MIG_EVENT_RESETTLEMENT,
};

/* What an event's `target` may name. */
enum mig_target {
    MIG_TARGET_NONE,             /* no target */
    MIG_TARGET_ORIGIN,           /* an origin code */
    MIG_TARGET_ORIGIN_OR_ALL,    /* an origin code or `all` */
    MIG_TARGET_REGION,           /* a region code */
    MIG_TARGET_REGION_OR_ALL,    /* a region code or `all` */
    MIG_TARGET_ORIGIN_OR_REGION, /* an origin code, a region code, or KAZ for all regions */
};

struct mig_event_type {
    const char *name;
    enum mig_target target;
    int needs_sector, needs_value;
    double lo, hi; /* bounds of `value` */
    const char *unit;
    const char *description;
};

struct mig_event_field {
    const char *name, *type, *fallback, *unit, *description;
};

struct mig_event {
    enum mig_event_kind kind;
    char target[8];  /* a code, `all`, `KAZ`, or empty */
    char sector[16]; /* for sector_demand */
    long start, end; /* inclusive day numbers; end MIG_NO_END when open */
    double ramp_days, value, subsidy_usd;
    int file; /* index of the file it came from (struct scenario's files) */
    struct mig_mark mark, target_mark, sector_mark, start_mark;
};

struct timeline {
    int count;
    struct mig_event event[MIG_MAX_EVENTS];
};

const struct mig_event_type *mig_timeline_types(size_t *count);
const struct mig_event_field *mig_timeline_fields(size_t *count);

/* Appends the events of a `timeline:` sequence read from file `path`
 * (index `file`); every mistake is a located MIG_EINPUT. */
int mig_timeline_parse(struct timeline *tl, const char *path, int file, struct fy_node *list);

/* How much of an event is in force on `day`: 0 outside it, rising linearly
 * over the ramp, then 1. */
double mig_event_strength(const struct mig_event *e, long day);

/* What a target kind accepts, in words. */
const char *mig_timeline_target_text(enum mig_target target);

/* The first day any event starts, or MIG_NO_END. */
long mig_timeline_first_day(const struct timeline *tl);

/* Whether two events act alike: kind, target, sector, dates, ramp and
 * values (not where they were written). */
bool mig_timeline_event_same(const struct mig_event *a, const struct mig_event *b);

/* The first event (in file order) that starts before day `from` or after
 * day `to`, or NULL. */
const struct mig_event *mig_timeline_starting_outside(const struct timeline *tl, long from,
                                                      long to);

#endif
