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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_quoted_fields),
        cmocka_unit_test(locates_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
