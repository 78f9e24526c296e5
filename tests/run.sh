#!/usr/bin/env bash
# THE test command of the repository: lint, Odoo-free tests, Odoo tests on a fresh database.
#
#   bash tests/run.sh                          # everything
#   bash tests/run.sh --addons crm_mailwizz    # arguments go to tests/odoo_tests.py
#   SKIP_LINT=1 bash tests/run.sh              # while iterating (never in CI)
#
# Ends with one line "N passed, N failed" (pytest + Odoo tests; a failed step that is not a
# test, such as lint or an Odoo install error, counts as one failure) and exits non-zero if
# anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/run_tests.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
declare -a failed_steps=()
declare -a step_lines=()

header() {
    printf '\n==============================================================================\n'
    printf '== %s\n' "$*"
    printf '==============================================================================\n'
}

step_ok() { step_lines+=("ok      $1"); }
step_fail() {
    step_lines+=("FAILED  $1")
    failed_steps+=("$1")
}

# Addon folders at the repository root (a folder with a __manifest__.py).
mapfile -t ADDONS < <(
    for manifest in "$REPO_ROOT"/*/__manifest__.py; do
        [ -e "$manifest" ] || continue
        basename "$(dirname "$manifest")"
    done | sort
)

# --------------------------------------------------------------------------------------------
# 1. lint
# --------------------------------------------------------------------------------------------
if [ "${SKIP_LINT:-}" = 1 ]; then
    header "1/3 lint: skipped (SKIP_LINT=1)"
    step_lines+=("skipped lint: SKIP_LINT=1")
else
    header "1/3 lint: ruff check ."
    if ! "$PYTHON" -m ruff --version >/dev/null 2>&1; then
        echo "ruff is not installed for $PYTHON (bash .ci/run installs it)"
        step_fail "lint: ruff (not installed)"
        failed=$((failed + 1))
    elif "$PYTHON" -m ruff check . --output-format=concise; then
        step_ok "lint: ruff"
    else
        step_fail "lint: ruff"
        failed=$((failed + 1))
    fi

    header "1/3 lint: pylint + pylint_odoo (.pylintrc) on ${#ADDONS[@]} addon(s): ${ADDONS[*]:-none}"
    if [ "${#ADDONS[@]}" -eq 0 ]; then
        echo "no addon folder at the repository root: nothing to lint"
        step_ok "lint: pylint (no addon)"
    elif ! "$PYTHON" -c 'import pylint_odoo' >/dev/null 2>&1; then
        echo "pylint-odoo is not installed for $PYTHON (bash .ci/run installs it)"
        step_fail "lint: pylint (pylint-odoo not installed)"
        failed=$((failed + 1))
    elif "$PYTHON" -m pylint --rcfile=.pylintrc "${ADDONS[@]}"; then
        echo "pylint: no message"
        step_ok "lint: pylint"
    else
        step_fail "lint: pylint"
        failed=$((failed + 1))
    fi
fi

# --------------------------------------------------------------------------------------------
# 2. Odoo-free tests
# --------------------------------------------------------------------------------------------
header "2/3 Odoo-free tests: $PYTHON -m pytest tests/ -q"
set +e
"$PYTHON" -m pytest tests/ -q 2>&1 | tee "$WORK/pytest.out"
pytest_rc=${PIPESTATUS[0]}
set -e
# pytest -q ends with e.g. "3 failed, 40 passed, 1 skipped, 2 errors in 1.23s"
pytest_summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed)' \
    "$WORK/pytest.out" | tail -n 1 || true)
count_of() { grep -oE "[0-9]+ $1" <<<"$pytest_summary" | grep -oE '^[0-9]+' | head -n 1 || true; }
p_passed=$(count_of passed)
p_failed=$(count_of failed)
p_errors=$(count_of 'errors?')
p_passed=${p_passed:-0}
p_failed=$((${p_failed:-0} + ${p_errors:-0}))
passed=$((passed + p_passed))
if [ "$pytest_rc" -eq 5 ]; then
    echo "pytest collected no test (exit 5): the Odoo-free tests are missing, which is a failure"
    step_fail "pytest: no test collected"
    failed=$((failed + 1))
elif [ "$pytest_rc" -ne 0 ]; then
    [ "$p_failed" -gt 0 ] || p_failed=1
    failed=$((failed + p_failed))
    step_fail "pytest: $p_passed passed, $p_failed failed (exit $pytest_rc)"
else
    step_ok "pytest: $p_passed passed"
fi

# --------------------------------------------------------------------------------------------
# 3. Odoo tests
# --------------------------------------------------------------------------------------------
if "$PYTHON" -c 'import odoo.release; assert odoo.release.version_info[0]==18' >/dev/null 2>&1; then
    header "3/3 Odoo tests: $PYTHON tests/odoo_tests.py $*"
    set +e
    "$PYTHON" tests/odoo_tests.py "$@" 2>&1 | tee "$WORK/odoo.out"
    odoo_rc=${PIPESTATUS[0]}
    set -e
    odoo_summary=$(grep -E '^odoo: [0-9]+ passed, [0-9]+ failed' "$WORK/odoo.out" | tail -n 1 || true)
    o_passed=$(grep -oE '[0-9]+ passed' <<<"$odoo_summary" | grep -oE '^[0-9]+' || true)
    o_failed=$(grep -oE '[0-9]+ failed' <<<"$odoo_summary" | grep -oE '^[0-9]+' || true)
    o_passed=${o_passed:-0}
    o_failed=${o_failed:-0}
    if [ "$odoo_rc" -ne 0 ] && [ "$o_failed" -eq 0 ]; then
        o_failed=1
    fi
    passed=$((passed + o_passed))
    failed=$((failed + o_failed))
    if [ "$odoo_rc" -eq 0 ]; then
        step_ok "odoo: $o_passed passed"
    else
        step_fail "odoo: $o_passed passed, $o_failed failed (exit $odoo_rc)"
    fi
else
    header "3/3 Odoo tests"
    echo "Odoo 18 is not importable: skipping the Odoo tests (models, rules, tours)"
    step_lines+=("skipped odoo: Odoo 18 is not importable by $PYTHON")
fi

# --------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------
header "summary"
printf '%s\n' "${step_lines[@]}"
if [ "${#failed_steps[@]}" -gt 0 ] && [ "$failed" -eq 0 ]; then
    failed=${#failed_steps[@]}
fi
echo "$passed passed, $failed failed"
[ "${#failed_steps[@]}" -eq 0 ]
