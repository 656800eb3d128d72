/* Day numbers and civil dates. */
#include "helpers.h"
#include "migsim/date.h"

static void round_trips(void **state)
{
    (void)state;
    for (long day = -800000; day < 800000; day += 97) {
        int y, m, d;
        mig_date_to_civil(day, &y, &m, &d);
        assert_int_equal(mig_date_from_civil(y, m, d), day);
    }
    assert_int_equal(mig_date_from_civil(1970, 1, 1), 0);
    assert_int_equal(mig_date_from_civil(2024, 3, 1) - mig_date_from_civil(2024, 2, 28), 2);
}

static void parses_strictly(void **state)
{
    (void)state;
    long day;
    assert_true(mig_date_parse("2024-02-29", &day));
    char text[11];
    mig_date_format(day, text);
    assert_string_equal(text, "2024-02-29");
    assert_false(mig_date_parse("2025-02-29", &day));
    assert_false(mig_date_parse("2025-13-01", &day));
    assert_false(mig_date_parse("2025-1-01", &day));
    assert_false(mig_date_parse("2025-01-01x", &day));
    assert_false(mig_date_parse("", &day));
}

static void day_of_year(void **state)
{
    (void)state;
    assert_int_equal(mig_date_day_of_year(mig_date_from_civil(2025, 1, 1)), 0);
    assert_int_equal(mig_date_day_of_year(mig_date_from_civil(2024, 12, 31)), 365);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(parses_strictly),
        cmocka_unit_test(day_of_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
