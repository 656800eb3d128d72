/* Text read from files: whole-file reads with a size limit that refuse
 * folders, pipes and devices, and strict UTF-8 validation (no overlong
 * forms, surrogates, code points above U+10FFFF or NUL bytes), so that
 * every label migsim writes can be decoded by h5py, xarray and netCDF. */
#ifndef MIGSIM_TEXT_H
#define MIGSIM_TEXT_H

#include <stddef.h>

/* The length of the longest valid UTF-8 prefix of s[0..n) without NUL:
 * n when the whole text is valid. */
size_t mig_text_utf8_prefix(const char *s, size_t n);

/* 1 when the NUL-terminated string is valid UTF-8. */
int mig_text_is_utf8(const char *s);

/* Checks a whole file's text; an invalid byte is a MIG_EINPUT error located
 * as path:line:column (columns count characters). */
int mig_text_check(const char *path, const char *text, size_t size);

/* Reads a regular file of at most max_bytes into a NUL-terminated buffer
 * (the caller frees it); `what` names the expected content in messages
 * ("scenario or figures file"). Does not check the encoding. */
int mig_text_read(const char *path, size_t max_bytes, const char *what, char **text, size_t *size);

#endif
