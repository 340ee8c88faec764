#!/usr/bin/env bash
# Move the pins: resolve pyproject.toml's ranges afresh into uv.lock, then write constraints.txt (the
# same pins, read by pip where uv is absent, and by the Dockerfile). Run the test command after it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
py=$(find_python)
uv=$(find_uv "$py")
[ -n "$uv" ] || { echo "scripts/lock.sh needs uv (pip install uv)" >&2; exit 1; }
"$uv" lock --upgrade --python "$py"
{
    echo "# The tested versions of every dependency, from uv.lock (scripts/lock.sh writes this; do not edit by hand)."
    "$uv" export --frozen --all-extras --no-hashes --no-emit-project --no-header --no-annotate
} >constraints.txt
echo "wrote uv.lock and constraints.txt ($(grep -vc '^#' constraints.txt) pins)"
