/* Agents, stored as structures of arrays: international migrant workers
 * (present, visiting home, returned, or prospective at their origin) and
 * residents of Kazakhstan. An agent's id is its index; ids are given in a
 * fixed order (migrants by origin, residents by region), never by thread. */
#ifndef MIGSIM_POPULATION_H
#define MIGSIM_POPULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "migsim/world.h"

enum mig_state {
    MIG_PROSPECTIVE = 0, /* at the origin, never came */
    MIG_PRESENT = 1,     /* working in Kazakhstan */
    MIG_VISITING = 2,    /* on a visit home, keeps the job */
    MIG_RETURNED = 3,    /* went home for good; may come again */
    MIG_IN_RUSSIA = 4,   /* working in Russia, the competing destination */
};

enum mig_trait {
    MIG_FEMALE = 1 << 0,
    MIG_UPPER_SECONDARY = 1 << 1,
    MIG_INFORMAL = 1 << 2,   /* chosen at each entry: no contract, no permit fee */
    MIG_NO_PENSION = 1 << 3, /* a formal job of this worker would not pay into a pension */
    MIG_NO_LEAVE = 1 << 4,   /* ... nor give paid leave (informal work gives neither) */
    MIG_PRIMARY_EARNER = 1 << 5,
    MIG_REMITTER = 1 << 6,
};

/* Where a migrant worker stands in the step loop. Every agent is in exactly
 * one class, and each class is a bitmap over ids, so that a stage visits the
 * agents of one class (those present, say) without reading the others. */
enum mig_class {
    MIG_CLASS_HOME = 0,  /* prospective, or returned and free to come again */
    MIG_CLASS_RESTING,   /* returned, not yet free to come again */
    MIG_CLASS_PRESENT,   /* working in Kazakhstan */
    MIG_CLASS_VISITING,  /* on a visit home */
    MIG_CLASS_RUSSIA,    /* working in Russia */
    MIG_CLASSES
};

/* Timers (the end of a visit, the end of a rest after a return) are kept
 * by the step they fall due, modulo this many slots: a step visits only
 * the agents whose timer may end in it. A timer further ahead waits in the
 * slot of the last step the ring reaches and is looked at again then. */
#define MIG_TIMER_SLOTS 16

#define MIG_NEVER INT32_MIN      /* a step that has not happened */
#define MIG_RESIDENT_FEMALE 0x80 /* in a resident's person; the low bits are the age band */

/* What a migrant's personal draws need (from the scenario). */
struct personal_draws {
    uint64_t seed;
    double wage_sigma, remit_share_mean, remit_share_sd, living_cost_sigma;
};

/* A migrant worker, in one 32-byte record (two to a cache line): a decision
 * reads and writes one line of memory, not one per field. */
struct migrant {
    uint8_t origin, area, region, sector, state, traits;
    uint8_t spare[2]; /* zero: no padding, so records compare and checksum as bytes */
    /* Personal draws, made with the agents for the workers present at the
     * start, else when the agent first works in Kazakhstan (0 before):
     * they are pure functions of the seed and the id, and only workers in
     * Kazakhstan use them. */
    float skill;        /* wage relative to the mean for the job, log-normal */
    float remit_share;  /* share of earnings sent home; 0 for non-remitters */
    float living_cost;  /* living cost relative to the median */
    int32_t arrived;    /* step of the last arrival */
    int32_t last_visit; /* step the last visit home started */
    int32_t until;      /* end of a visit, or the step of a return */
};
_Static_assert(sizeof(struct migrant) == 32, "a migrant's record fills half a cache line");

/* A resident, in two bytes read together. */
struct resident {
    uint8_t region; /* MIG_NOBODY for a free id */
    uint8_t person; /* age band | MIG_RESIDENT_FEMALE */
};

/* The migrants' trait shares, as thresholds (mig_rng_threshold): a trait
 * is drawn when its word is below its share's threshold. */
enum {
    MIG_TRAIT_FEMALE,
    MIG_TRAIT_UPPER_SECONDARY,
    MIG_TRAIT_PRIMARY_EARNER,
    MIG_TRAIT_REMITTER,
    MIG_TRAIT_NO_PENSION,
    MIG_TRAIT_NO_LEAVE,
    MIG_TRAIT_SHARES
};

/* Everything the agents are drawn from, in the form the draws use: how
 * many of each kind, the thresholds of the traits, of each origin's areas
 * (on their cumulative shares) and of the residents' age bands (on 31
 * bits), and the seed. The agents are a pure function of their recipe, so
 * two equal recipes give identical agents, whatever else their scenarios
 * differ in: calibration and sensitivity runs copy the agents they drew
 * last instead of drawing them again. Zeroed before it is filled, so that
 * recipes compare as bytes. */
struct population_recipe {
    uint64_t seed;
    int origins, regions, ages;
    uint64_t migrants, residents;
    uint64_t origin_first[MIG_MAX_ORIGINS + 1];
    uint64_t initially_present[MIG_MAX_ORIGINS];
    uint64_t initially_in_russia[MIG_MAX_ORIGINS];
    uint64_t region_first[MIG_MAX_REGIONS + 1];
    uint64_t trait[MIG_TRAIT_SHARES];
    int areas[MIG_MAX_ORIGINS];
    uint8_t area[MIG_MAX_ORIGINS][MIG_MAX_AREAS];
    uint64_t area_threshold[MIG_MAX_ORIGINS][MIG_MAX_AREAS];
    uint32_t age_threshold[MIG_MAX_AGES];
};

/* Arrays of agents this large or larger start at a multiple of it and are
 * asked to be put on huge pages (2 MiB on x86-64; Linux gives them on
 * request, as transparent huge pages). A step's decisions read agents
 * scattered over the whole array: with 4 KiB pages most of those reads
 * also missed the processor's cache of address translations, and a run
 * was about a tenth slower (README, Performance). */
#define MIG_HUGE_PAGE ((size_t)2 << 20)

struct population {
    struct population_recipe recipe; /* what the agents were drawn from */
    uint64_t migrants;
    uint64_t origin_first[MIG_MAX_ORIGINS + 1];  /* ids of origin o: [first[o], first[o+1]) */
    uint64_t initially_present[MIG_MAX_ORIGINS]; /* the first ones of each origin */
    uint64_t initially_in_russia[MIG_MAX_ORIGINS]; /* the next ones */
    struct migrant *migrant;                       /* indexed by id */
    struct personal_draws personal;
    uint64_t *member[MIG_CLASSES]; /* bit id % 64 of word id / 64: the agent is in the class */
    uint64_t *due[MIG_TIMER_SLOTS]; /* by step modulo the slots: a timer falls due (same bits) */

    uint64_t residents; /* ids for residents, those born or arriving during the run included */
    uint64_t region_first[MIG_MAX_REGIONS + 1]; /* initial ids by region; then the free ones */

    /* The ids this process holds: all of them, or under MPI its share. The
     * arrays are indexed by id, and hold only [begin, end). */
    uint64_t migrant_begin, migrant_end, resident_begin, resident_end;
    int split; /* 1 when other ranks hold the other ids: aggregates are summed over ranks */
    struct resident *resident; /* indexed by id */
};

/* Allocates and draws every agent's fixed traits; migrants start
 * prospective (behaviour places the initial stock), residents in their
 * region. Counts are persons / scale. With `split`, this process holds only
 * its share of the ids (MPI ranks split a run by id, in whole chunks). */
int mig_population_init(struct population *pop, const struct scenario *sc, const struct world *w,
                        int split);

/* The recipe of a scenario's agents, and what their personal draws need. */
void mig_population_recipe(const struct scenario *sc, const struct world *w,
                           struct population_recipe *recipe);
struct personal_draws mig_population_personal_draws(const struct scenario *sc);

/* The agents of a recipe (mig_population_init is the recipe, then this). */
int mig_population_make(struct population *pop, const struct population_recipe *recipe,
                        struct personal_draws personal, int split);
void mig_population_free(struct population *pop);

/* Copies every agent of `from` into `to`: a new copy when `to` is zeroed,
 * else a population of the same ids (the warm state shared by replicates). */
int mig_population_copy(struct population *to, const struct population *from);

/* Draws migrant id's wage noise, share of earnings sent and living-cost
 * factor (the same values whenever it is called). The agents are made with
 * those of the workers present at the start; others draw theirs when they
 * first come. */
void mig_population_personal(struct population *pop, uint64_t id);

/* Sets what the personal draws need, and draws those of the workers
 * present at the start anew if it changed (on agents not yet placed). */
void mig_population_set_personal(struct population *pop, struct personal_draws personal);

/* Sets every migrant's class from its state, and the timers of those
 * visiting or resting: a returned migrant rests until min_home_steps after
 * its return (at `step`). */
void mig_population_classify(struct population *pop, int32_t step, int32_t min_home_steps);

/* Whether this processor counts the set bits of a word and finds the k-th
 * of them in one fast instruction each (popcnt, pdep), found at start-up.
 * The base x86-64 set has neither, so the functions below take them only
 * when it is true, written out (a builtin would call a library routine
 * where the instruction is not assumed); AMD's and Hygon's processors
 * before family 19h (Zen 3) run pdep in microcode, dozens of times slower,
 * and keep the arithmetic. Both ways give the same answers; tests set it
 * to compare them, and nothing else may change it once threads run. */
extern bool mig_population_bit_instructions;

#if defined(__x86_64__) && defined(__GNUC__)
#define MIG_BIT_INSTRUCTIONS 1
#endif

/* Set bits of a word. */
static inline uint64_t mig_population_bits(uint64_t x)
{
#ifdef MIG_BIT_INSTRUCTIONS
    if (mig_population_bit_instructions) {
        uint64_t n;
        __asm__("popcnt {%1, %0|%0, %1}" : "=r"(n) : "r"(x) : "cc");
        return n;
    }
#endif
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (x * 0x0101010101010101u) >> 56;
}

/* Of the bytes whose running counts of set bits are the eight bytes of
 * `running` (each at most 64), how many have a count of at most k. */
static inline unsigned mig_population_bytes_at_most(uint64_t running, unsigned k)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    return (unsigned)((((((k * ones) | highs) - running) & highs) >> 7) * ones >> 56);
}

/* The position of the k-th set bit of x (k from 0, below the count of set
 * bits): the byte that holds it from the bytes' running counts, then the
 * bit within the byte likewise, from the running counts of its bits spread
 * one to a byte (Vigna, "Broadword implementation of rank/select queries",
 * 2008). No branch: a loop over the byte's bits would be mispredicted at
 * nearly every call, since k is random. */
static inline unsigned mig_population_select(uint64_t x, unsigned k)
{
#ifdef MIG_BIT_INSTRUCTIONS
    if (mig_population_bit_instructions) {
        uint64_t bit; /* the k-th set bit of x, alone */
        __asm__("pdep {%2, %1, %0|%0, %1, %2}" : "=r"(bit) : "r"((uint64_t)1 << k), "r"(x));
        return (unsigned)__builtin_ctzll(bit);
    }
#endif
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t s = x - ((x >> 1) & 0x5555555555555555u);
    s = (s & 0x3333333333333333u) + ((s >> 2) & 0x3333333333333333u);
    s = ((s + (s >> 4)) & 0x0F0F0F0F0F0F0F0Fu) * ones; /* byte i: set bits in bytes 0..i */
    unsigned byte = mig_population_bytes_at_most(s, k), shift = byte * 8;
    k -= (unsigned)((s << 8) >> shift) & 0xFF; /* the set bits of the bytes before */
    /* Byte j of `bit`: bit j of the byte sought, as 0 or 1. */
    uint64_t bit = ((((x >> shift) & 0xFF) * ones & 0x8040201008040201u) + 0x7F7F7F7F7F7F7F7Fu);
    bit = (bit & highs) >> 7;
    return shift + mig_population_bytes_at_most(bit * ones, k);
}

/* The members of a class (bitmap `member`) among ids [first, end) in word
 * `word`. */
static inline uint64_t mig_population_members(const uint64_t *member, uint64_t word, uint64_t first,
                                              uint64_t end)
{
    uint64_t bits = member[word];
    if (word == first / 64)
        bits &= ~(uint64_t)0 << (first % 64);
    if (word == (end - 1) / 64 && end % 64)
        bits &= ((uint64_t)1 << (end % 64)) - 1;
    return bits;
}

/* How many members a class (bitmap `member`) has among ids [first, end). */
static inline uint64_t mig_population_count(const uint64_t *member, uint64_t first, uint64_t end)
{
    uint64_t n = 0;
    for (uint64_t word = first / 64; word < (end + 63) / 64; word++)
        n += mig_population_bits(mig_population_members(member, word, first, end));
    return n;
}

static inline bool mig_population_in(const struct population *pop, int cls, uint64_t id)
{
    return (pop->member[cls][id >> 6] >> (id & 63)) & 1u;
}

/* Moves agent `id` from one class to another. Words of 64 ids never span
 * two chunks, so a thread changes only the words of its own chunks. */
static inline void mig_population_move(struct population *pop, uint64_t id, int from, int to)
{
    uint64_t bit = (uint64_t)1 << (id & 63);
    pop->member[from][id >> 6] &= ~bit;
    pop->member[to][id >> 6] |= bit;
}

/* Agent id's timer falls due at step `when`; `now` is the current step
 * (a timer beyond the ring's reach waits in its last slot; one already due
 * is looked at now). */
static inline void mig_population_due(struct population *pop, uint64_t id, int32_t now,
                                      int32_t when)
{
    if (when < now)
        when = now;
    if (when > now + MIG_TIMER_SLOTS - 1)
        when = now + MIG_TIMER_SLOTS - 1;
    pop->due[(uint32_t)when % MIG_TIMER_SLOTS][id >> 6] |= (uint64_t)1 << (id & 63);
}

/* How many agents stand for region r's residents, and for origin o's
 * initially present workers, those initially in Russia, and its whole pool
 * (also those at home). */
uint64_t mig_population_residents_of(const struct scenario *sc, const struct world *w, int r);
uint64_t mig_population_present_of(const struct scenario *sc, const struct world *w, int o);
uint64_t mig_population_in_russia_of(const struct scenario *sc, const struct world *w, int o);
uint64_t mig_population_migrants_of(const struct scenario *sc, const struct world *w, int o);

/* Bytes used per agent, for the benchmark. */
double mig_population_bytes(const struct population *pop);

#endif
