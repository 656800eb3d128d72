/* The parameter table and the YAML loader: values, and one located message
 * per kind of mistake. */
#include "helpers.h"
#include "migsim/error.h"
#include "migsim/scenario.h"

static const char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_folder();
    return 0;
}

/* Loads text as a scenario; returns the status and keeps the message. */
static int load(const char *text, struct scenario *sc)
{
    int status = mig_scenario_load(sc, test_file(dir, "s.yaml", text));
    if (status == 0)
        return 0;
    return status;
}

static void expect_error(const char *text, const char *message)
{
    struct scenario sc;
    assert_int_equal(load(text, &sc), MIG_EINPUT);
    if (!strstr(mig_strerror(), message))
        fail_msg("expected '%s' in '%s'", message, mig_strerror());
}

static void table_is_complete(void **state)
{
    (void)state;
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        assert_true(strlen(table[i].description) > 10);
        if (table[i].type == MIG_PARAM_REAL || table[i].type == MIG_PARAM_INT)
            assert_true(table[i].lo <= table[i].fallback && table[i].fallback <= table[i].hi);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(table[i].name, table[j].name);
    }
}

/* Every coefficient says where its default comes from: a citation, a
 * calibration, or an assumption with its reason. Only the seed and the text
 * settings of a run go without. */
static void every_coefficient_has_a_provenance(void **state)
{
    (void)state;
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    static const char *const kinds[] = {"source: ", "calibrated: ", "assumption: "};
    for (size_t i = 0; i < n; i++) {
        const struct mig_param *p = &table[i];
        bool setting = p->type == MIG_PARAM_TEXT || p->type == MIG_PARAM_PATH ||
                       p->type == MIG_PARAM_DATE || strcmp(p->name, "seed") == 0;
        if (setting)
            continue;
        if (!p->provenance)
            fail_msg("%s has no provenance", p->name);
        bool known = false;
        for (size_t k = 0; k < 3; k++)
            if (strncmp(p->provenance, kinds[k], strlen(kinds[k])) == 0 &&
                strlen(p->provenance) > strlen(kinds[k]) + 4)
                known = true;
        if (!known)
            fail_msg("%s: provenance '%s' is not 'source: ...', 'calibrated: ...' or "
                     "'assumption: ...' with its reason",
                     p->name, p->provenance);
    }
}

static void loads_values_over_defaults(void **state)
{
    (void)state;
    struct scenario sc;
    assert_int_equal(load("name: test\nstart: 2025-01-01\nend: 2025-03-31\nseed: 9\n"
                          "migrants:\n  visit_rate: 3.5\n  entry_propensity: {RUS: 2, all: 0.5}\n"
                          "policy:\n  border_open: {TJK: 0}\n"
                          "residents:\n  education_centres: [AST]\n",
                          &sc),
                     0);
    assert_string_equal(sc.name, "test");
    assert_true(sc.seed == 9);
    assert_true(sc.migrants.visit_rate == 3.5);
    assert_true(mig_by_origin_get(&sc.migrants.entry_propensity, "RUS") == 2);
    assert_true(mig_by_origin_get(&sc.migrants.entry_propensity, "UZB") == 0.5);
    assert_true(mig_by_origin_get(&sc.policy.border_open, "TJK") == 0);
    assert_true(mig_by_origin_get(&sc.policy.border_open, "UZB") == 1);
    assert_true(mig_by_origin_get(&sc.policy.eaeu, "KGZ") == 1);
    assert_int_equal(sc.residents.education_centres.count, 1);
    assert_true(sc.step_days == 7);
    mig_scenario_free(&sc);
    assert_int_equal(mig_scenario_load(&sc, BASELINE), 0);
    assert_string_equal(sc.name, "baseline");
    assert_non_null(strstr(sc.text, "targets:"));
    mig_scenario_free(&sc);
}

static void every_mistake_is_located(void **state)
{
    (void)state;
    expect_error(
        "name: x\nmigrants:\n  visit_rat: 2\n",
        "s.yaml:3:3: error: unknown key 'visit_rat' in migrants; did you mean 'visit_rate'?");
    expect_error("nmae: x\n", "s.yaml:1:1: error: unknown key 'nmae'; did you mean 'name'?");
    expect_error("migrants:\n  visit_rate: lots\n",
                 "s.yaml:2:15: error: 'migrants.visit_rate' expects a number in [0, 52]");
    expect_error("migrants:\n  visit_rate: 99\n",
                 "s.yaml:2:15: error: 'migrants.visit_rate' is 99, out of range");
    expect_error("step_days: 2.5\n", "s.yaml:1:12: error: 'step_days' expects a whole number");
    expect_error("start: 2025-02-30\n", "s.yaml:1:8: error: 'start' expects a date YYYY-MM-DD");
    expect_error("migrants: 3\n", "s.yaml:1:11: error: 'migrants' expects a mapping of parameters");
    expect_error("migrants:\n  visit_rate: [1, 2]\n",
                 "s.yaml:2:16: error: 'migrants.visit_rate' expects");
    expect_error("name: [unclosed\n", "s.yaml:2:1: error:");
    expect_error("", "s.yaml:1:1: error: the file has no YAML content");
    expect_error("# only a comment\n", "s.yaml:1:1: error:");
    expect_error("- a\n- b\n", "s.yaml:1:1: error: expected a mapping of scenario keys");
    expect_error("start: 2025-01-01\nend: 2024-01-01\n",
                 "s.yaml:2:6: error: 'end' (2024-01-01) is before 'start' (2025-01-01)");
    expect_error("policy:\n  border_open: {uzb: 1}\n",
                 "s.yaml:2:17: error: 'policy.border_open' expects origin codes");
    expect_error("residents:\n  education_centres: AST\n",
                 "s.yaml:2:22: error: 'residents.education_centres' expects a list");
    expect_error("name: \"\xff\xfe\"\n", "s.yaml:1:8: error: expected UTF-8 text, found byte 0xff");
    expect_error("a: 1\na: 2\n", "s.yaml:2:1: error: duplicate key");
    struct scenario sc;
    assert_int_equal(mig_scenario_load(&sc, "/nonexistent/s.yaml"), MIG_EINPUT);
}

/* The same files read through other paths are the same scenario; other
 * contents or other file names are not. */
static void texts_compare_by_file_name(void **state)
{
    (void)state;
    const char *here = "# ---- base.yaml ----\nseed: 1\n\n# ---- fee.yaml ----\nseed: 2\n";
    assert_true(mig_scenario_same_text(here, here));
    assert_true(mig_scenario_same_text(
        here, "# ---- sc/base.yaml ----\nseed: 1\n\n# ---- /a/b/fee.yaml ----\nseed: 2\n"));
    assert_false(mig_scenario_same_text(
        here, "# ---- base.yaml ----\nseed: 1\n\n# ---- other.yaml ----\nseed: 2\n"));
    assert_false(mig_scenario_same_text(
        here, "# ---- base.yaml ----\nseed: 1\n\n# ---- fee.yaml ----\nseed: 3\n"));
    assert_false(mig_scenario_same_text(here, "# ---- base.yaml ----\nseed: 1\n"));
    assert_false(mig_scenario_same_text("# ---- a.yaml ----\nx", "# ---- a.yaml ----\nx\n"));
    assert_true(mig_scenario_same_text("", ""));
}

static void formats_values(void **state)
{
    (void)state;
    struct scenario sc;
    assert_int_equal(mig_scenario_defaults(&sc), 0);
    size_t n;
    const struct mig_param *table = mig_scenario_params(&n);
    char text[256];
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, "policy.eaeu") == 0) {
            mig_scenario_format_value(&sc, &table[i], text, sizeof text);
            assert_string_equal(text, "{all: 0, RUS: 1, KGZ: 1}");
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_complete),
        cmocka_unit_test(every_coefficient_has_a_provenance),
        cmocka_unit_test(loads_values_over_defaults),
        cmocka_unit_test(every_mistake_is_located),
        cmocka_unit_test(formats_values),
        cmocka_unit_test(texts_compare_by_file_name),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
