/* Text read from files: bounded whole-file reads and strict UTF-8. */
#include "migsim/text.h"
#include "migsim/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it is
 * not valid (RFC 3629: shortest form, no surrogates, at most U+10FFFF). */
static size_t sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

size_t mig_text_utf8_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = sequence_length(u + i, n - i);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}

int mig_text_is_utf8(const char *s)
{
    size_t n = strlen(s);
    return mig_text_utf8_prefix(s, n) == n;
}

int mig_text_check(const char *path, const char *text, size_t size)
{
    size_t bad = mig_text_utf8_prefix(text, size);
    if (bad == size)
        return 0;
    int line = 1, column = 1;
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < bad;) {
        if (u[i] == '\n')
            line++, column = 1;
        else
            column++;
        i += sequence_length(u + i, bad - i);
    }
    if (u[bad] == 0)
        return mig_fail(MIG_EINPUT,
                        "%s:%d:%d: error: NUL byte in a text file; expected UTF-8 text (is this "
                        "a binary file?)",
                        path, line, column);
    return mig_fail(MIG_EINPUT,
                    "%s:%d:%d: error: expected UTF-8 text, found byte 0x%02x (is the file in "
                    "another encoding, such as Latin-1 or Windows-1251, or binary?)",
                    path, line, column, u[bad]);
}

int mig_text_read(const char *path, size_t max_bytes, const char *what, char **text, size_t *size)
{
    *text = NULL;
    *size = 0;
    /* Opened without blocking, so that a named pipe without a writer is
     * refused rather than waited on. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mig_fail(MIG_EINPUT, "%s: error: cannot read the file: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int folder = S_ISDIR(st.st_mode);
        close(fd);
        return mig_fail(MIG_EINPUT, "%s: error: %s; expected a %s", path,
                        folder ? "this is a folder" : "this is not a regular file", what);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        fclose(f);
        return mig_fail(MIG_EINPUT, "%s:1:1: error: the file is larger than %zu MiB; expected a %s",
                        path, max_bytes >> 20, what);
    }
    size_t expected = (size_t)st.st_size;
    char *buffer = malloc(expected + 2);
    if (!buffer) {
        fclose(f);
        return mig_fail(MIG_ENOMEM, "out of memory reading %s", path);
    }
    size_t n = fread(buffer, 1, expected + 1, f);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed || n > expected) {
        free(buffer);
        return mig_fail(MIG_EINPUT, "%s: error: cannot read the file: %s", path,
                        failed ? strerror(saved) : "it grew while being read");
    }
    buffer[n] = '\0';
    *text = buffer;
    *size = n;
    return 0;
}
