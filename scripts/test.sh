#!/usr/bin/env bash
# Set up .venv with test tools, install Debian's chromium if missing, lint, run every test.
# Any arguments go to pytest, e.g. scripts/test.sh -k engine
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
make_venv ".[test]"
if [ ! -x /usr/bin/chromium ]; then
    echo "installing Debian's chromium for the browser tests" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
lint_paths=(app tests)
[ -d benchmarks ] && lint_paths+=(benchmarks)
.venv/bin/ruff check "${lint_paths[@]}"
.venv/bin/ruff format --check "${lint_paths[@]}"
exec .venv/bin/python -m pytest "$@"
