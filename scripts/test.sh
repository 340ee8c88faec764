#!/usr/bin/env bash
# Set up .venv with test tools, install Debian's chromium and nodejs if missing, lint, run every test.
# Any arguments go to pytest, e.g. scripts/test.sh -k engine
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
make_venv ".[test]"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)  # the browser tests
command -v node >/dev/null 2>&1 || missing+=(nodejs)  # the front end's layout tests (node --test)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian's ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
lint_paths=(app tests)
[ -d benchmarks ] && lint_paths+=(benchmarks)
.venv/bin/ruff check "${lint_paths[@]}"
.venv/bin/ruff format --check "${lint_paths[@]}"
node --test tests/js/
exec .venv/bin/python -m pytest "$@"
