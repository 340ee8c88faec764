#!/usr/bin/env bash
# Set up .venv with test tools, install Debian's chromium, nodejs and redis-server if missing, lint,
# run every test.
# Any arguments go to pytest (both passes), e.g. scripts/test.sh -k engine
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
make_venv test
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)  # the browser tests
command -v node >/dev/null 2>&1 || missing+=(nodejs)  # the front end's layout tests (node --test)
# relays' tests start their own redis-server on a free loopback port (Debian's package may also
# start a system one on 6379: the tests never use it)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# the page's bundle is checked against what the pinned esbuild makes of static/js (npm installs it)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian's ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x tools/bundle/node_modules/.bin/esbuild ]; then
    (cd tools/bundle && npm ci --no-audit --no-fund --silent) || echo "npm could not install esbuild: the bundle's rebuild check is skipped" >&2
fi
lint_paths=(app tests)
[ -d benchmarks ] && lint_paths+=(benchmarks)
.venv/bin/ruff check "${lint_paths[@]}"
.venv/bin/ruff format --check "${lint_paths[@]}"
# the front end's layout tests run beside the first pytest pass; their result is awaited below
node_log=$(mktemp)
node --test tests/js/ >"$node_log" 2>&1 &
node_tests=$!
# Two passes: most tests two at a time (pytest-xdist, each module on one worker so that its server
# is shared), then the tests marked `alone` (CPU figures, timing, floods of viewers) one after another
# with nothing beside them. PTLAB_TEST_WORKERS=1 runs the first pass serially too. (Three workers
# on these two CPUs: the first pass 4 m 41 s once, then 5 m 20 s and 5 m 27 s against 5 m 05-17 s
# with two, and the lesson walk timed out waiting for a scene: no gain worth the flakiness.)
# --no-loadscope-reorder: xdist otherwise hands out modules by their number of tests, so the
# one-test lesson walk (a minute) started last and the pass waited for it; tests/conftest.py
# orders modules longest first instead (the first pass: 4 m 44-53 s -> 4 m 23 s).
workers=${PTLAB_TEST_WORKERS:-2}
set +e
.venv/bin/python -m pytest -n "$workers" --dist loadscope --no-loadscope-reorder -m "not alone" "$@"
first=$?
wait "$node_tests"
node_status=$?
cat "$node_log"
rm -f "$node_log"
if [ "$node_status" -ne 0 ]; then
    echo "node --test tests/js/ failed" >&2
    exit "$node_status"
fi
.venv/bin/python -m pytest -p no:xdist -m alone "$@"
second=$?
# 5: a pass had no test to run (a -k that matches only the other pass's tests)
if [ "$first" -eq 5 ] && [ "$second" -eq 5 ]; then exit 5; fi
[ "$first" -eq 5 ] && first=0
[ "$second" -eq 5 ] && second=0
[ "$first" -ne 0 ] && exit "$first"
exit "$second"
