/* CSV reading: quoting, and located errors. */
#include "helpers.h"
#include "migsim/csv.h"
#include "migsim/error.h"

static void reads_quoted_fields(void **state)
{
    (void)state;
    const char *dir = test_folder();
    const char *path =
        test_file(dir, "a.csv", "code,name,x\nA,\"one, two\",1.5\nB,\"say \"\"hi\"\"\",2\n");
    struct csv t;
    assert_int_equal(mig_csv_read(&t, path), 0);
    assert_int_equal(t.rows, 2);
    assert_int_equal(t.columns, 3);
    assert_string_equal(mig_csv_cell(&t, 0, 1)->text, "one, two");
    assert_string_equal(mig_csv_cell(&t, 1, 1)->text, "say \"hi\"");
    size_t column;
    double x;
    assert_int_equal(mig_csv_column(&t, "x", &column), 0);
    assert_int_equal(mig_csv_number(&t, 1, column, 0, 10, &x), 0);
    assert_true(x == 2.0);
    mig_csv_free(&t);
}

static void locates_errors(void **state)
{
    (void)state;
    const char *dir = test_folder();
    struct csv t;
    const char *ragged = test_file(dir, "r.csv", "a,b\n1,2\n3\n");
    assert_int_equal(mig_csv_read(&t, ragged), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "r.csv:3:1: error: expected 2 fields"));
    const char *open_quote = test_file(dir, "q.csv", "a,b\n1,\"2\n");
    assert_int_equal(mig_csv_read(&t, open_quote), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "q.csv:2:3: error: quoted field is not closed"));
    const char *bad = test_file(dir, "n.csv", "a,b\n1,abc\n");
    assert_int_equal(mig_csv_read(&t, bad), 0);
    double x;
    assert_int_equal(mig_csv_number(&t, 0, 1, 0, 10, &x), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "n.csv:2:3: error: expected a number for 'b'"));
    assert_int_equal(mig_csv_number(&t, 0, 0, 5, 10, &x), MIG_EINPUT);
    assert_non_null(
        strstr(mig_strerror(), "n.csv:2:1: error: 'a' is 1, expected a value in [5, 10]"));
    size_t column;
    assert_int_equal(mig_csv_column(&t, "missing", &column), MIG_EINPUT);
    mig_csv_free(&t);
    assert_int_equal(mig_csv_read(&t, test_file(dir, "e.csv", "")), MIG_EINPUT);
    assert_int_equal(mig_csv_read(&t, "/nonexistent/x.csv"), MIG_EINPUT);
}

/* Line ends from other systems and double conversions: a lone CR (also at
 * the very end of the file), CR CR LF, CR-only files. These once looped
 * forever while memory grew; the alarm turns a hang into a failure. */
static void reads_every_line_end(void **state)
{
    (void)state;
    alarm(20);
    const char *dir = test_folder();
    struct csv t;
    const char *cases[][2] = {
        {"lone_cr_at_end.csv", "a,b\n1,2\n3,4\r"},
        {"crcrlf.csv", "a,b\r\r\n1,2\r\r\n3,4\r\r\n"},
        {"cr_only.csv", "a,b\r1,2\r3,4\r"},
        {"mixed.csv", "a,b\r\n1,2\n3,4"},
        {"quoted_then_cr.csv", "a,b\r\n1,\"2\"\r3,4\r\r"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = test_file(dir, cases[i][0], cases[i][1]);
        assert_int_equal(mig_csv_read(&t, path), 0);
        assert_int_equal(t.rows, 2);
        assert_int_equal(t.columns, 2);
        assert_string_equal(mig_csv_cell(&t, 1, 1)->text, "4");
        assert_int_equal(mig_csv_cell(&t, 1, 0)->line, 3);
        mig_csv_free(&t);
    }
    /* A line end inside a cell of a ragged row is still located. */
    assert_int_equal(mig_csv_read(&t, test_file(dir, "r.csv", "a,b\r\r\n1\r\r\n")), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "r.csv:2:1: error: expected 2 fields"));
    alarm(0);
}

/* Text that is not UTF-8 (a Latin-1 region name) is refused with its place;
 * folders, pipes and devices are refused before reading. */
static void refuses_other_encodings_and_files(void **state)
{
    (void)state;
    const char *dir = test_folder();
    struct csv t;
    assert_int_equal(mig_csv_read(&t, test_file(dir, "l.csv", "code,name\nKZ-1,Qaraghand\xfd\n")),
                     MIG_EINPUT);
    assert_non_null(
        strstr(mig_strerror(), "l.csv:2:15: error: expected UTF-8 text, found byte 0xfd"));
    assert_int_equal(
        mig_csv_read(&t, test_file(dir, "ok.csv", "code,name\nKZ-1,\xd0\x90\xd0\xb1\n")), 0);
    assert_string_equal(mig_csv_cell(&t, 0, 1)->text, "\xd0\x90\xd0\xb1");
    mig_csv_free(&t);
    assert_int_equal(mig_csv_read(&t, dir), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "this is a folder"));
    assert_int_equal(mig_csv_read(&t, "/dev/zero"), MIG_EINPUT);
    assert_non_null(strstr(mig_strerror(), "not a regular file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_quoted_fields),
        cmocka_unit_test(locates_errors),
        cmocka_unit_test(reads_every_line_end),
        cmocka_unit_test(refuses_other_encodings_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
