# Shared by serve.sh and test.sh: find Python 3.11+ and make .venv with the project installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Keep compiled bytecode: where the environment sets PYTHONDONTWRITEBYTECODE (this CI's does), every
# process compiled ptlab and its packages afresh and a server took 2.0 s to import instead of 0.7 s
# (uv installs without .pyc files; the first start writes them, into .venv and app/__pycache__).
unset PYTHONDONTWRITEBYTECODE

# uv reads uv.lock (every package at its tested version) and installs in about a second; where uv is
# not on PATH it is fetched once with pip into the user's cache, shared by every clone.
UV_VERSION=0.13.9

find_python() {
    for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$py" ] || continue
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "ptlab needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

find_uv() {  # prints the uv to use, or nothing (then pip installs from constraints.txt)
    local py=$1 home
    [ "${PTLAB_PIP:-}" = 1 ] && return 0
    if command -v uv >/dev/null 2>&1; then
        command -v uv
        return 0
    fi
    home="${XDG_CACHE_HOME:-$HOME/.cache}/ptlab/uv-$UV_VERSION"
    if [ ! -x "$home/bin/uv" ]; then
        echo "fetching uv $UV_VERSION into $home (once)" >&2
        PIP_ROOT_USER_ACTION=ignore "$py" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary :all: \
            --target "$home" "uv==$UV_VERSION" >&2 || {
            echo "uv could not be fetched: installing with pip instead" >&2
            return 0
        }
    fi
    echo "$home/bin/uv"
}

make_venv() {  # $1: extras to install beside ptlab, e.g. "" or "test"
    local py uv
    py=$(find_python)
    uv=$(find_uv "$py")
    # --inexact: serve.sh keeps the test tools test.sh installed in the same .venv
    if [ -n "$uv" ] && UV_PROJECT_ENVIRONMENT=.venv "$uv" sync --quiet --locked --inexact \
        --python "$py" ${1:+--extra "$1"}; then
        return 0
    fi
    [ -z "$uv" ] || echo "uv sync failed (an old uv?): installing with pip instead" >&2
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    # constraints.txt holds the same pins as uv.lock (scripts/lock.sh writes both)
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${1:+[$1]}"
}
