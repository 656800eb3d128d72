/* A 64-bit FNV-1a digest of bytes: enough to tell whether two inputs are
 * the same (a checkpoint's check, or the data a run read), not a
 * cryptographic hash. */
#ifndef MIGSIM_DIGEST_H
#define MIGSIM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define MIG_DIGEST_START 14695981039346656037ull

static inline uint64_t mig_digest(uint64_t hash, const void *data, size_t bytes)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < bytes; i++)
        hash = (hash ^ b[i]) * 1099511628211ull;
    return hash;
}

#endif
