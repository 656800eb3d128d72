/* Strict UTF-8: what is accepted and what is refused, with its place. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/text.h"

#include <fcntl.h>
#include <sys/stat.h>

static void accepts_valid_text(void **state)
{
    (void)state;
    const char *valid[] = {"",
                           "Astana",
                           "\xd0\x90\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd\xd0\xb0",
                           "\xe2\x82\xac",
                           "\xf0\x9f\x98\x80",
                           "\xef\xbb\xbf"
                           "BOM",
                           "\xf4\x8f\xbf\xbf"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        assert_true(mig_text_is_utf8(valid[i]));
}

static void refuses_invalid_text(void **state)
{
    (void)state;
    const char *invalid[] = {
        "Qaraghand\xfd",    /* Latin-1 */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong, three bytes */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xf8\x88\x80\x80\x80",
        "\xe2\x82", /* truncated */
        "\x80",     /* a lone continuation byte */
        "\xff",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        assert_false(mig_text_is_utf8(invalid[i]));
    assert_int_equal(mig_text_utf8_prefix("ab\xc3\xa9z\xff", 6), 5);
    const char text[] = "name: x\nregion: \xd0\x90\xe9\n";
    assert_int_equal(mig_text_check("s.yaml", text, sizeof text - 1), MIG_EINPUT);
    assert_non_null(
        strstr(mig_strerror(), "s.yaml:2:10: error: expected UTF-8 text, found byte 0xe9"));
    const char nul[] = "a\nb\0c";
    assert_int_equal(mig_text_check("n.csv", nul, sizeof nul - 1), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "n.csv:2:2: error: NUL byte"));
}

static void reads_only_regular_files(void **state)
{
    (void)state;
    char *text;
    size_t size;
    const char *dir = test_folder();
    assert_int_equal(mig_text_read(test_file(dir, "a.txt", "hello"), 100, "file", &text, &size), 0);
    assert_int_equal(size, 5);
    assert_string_equal(text, "hello");
    free(text);
    assert_int_equal(mig_text_read(test_file(dir, "b.txt", "hello"), 4, "file", &text, &size),
                     MIG_EINPUT);
    assert_int_equal(mig_text_read(dir, 100, "file", &text, &size), MIG_EINPUT);
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* A pipe without a writer is refused, not waited on. */
    alarm(20);
    assert_int_equal(mig_text_read(fifo, 100, "file", &text, &size), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "not a regular file"));
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_valid_text),
        cmocka_unit_test(refuses_invalid_text),
        cmocka_unit_test(reads_only_regular_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
