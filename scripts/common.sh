# Shared by serve.sh and test.sh: find Python 3.11+ and make .venv with the project installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

make_venv() {  # $1: pip extras spec, e.g. "." or ".[test]"
    local py
    py=$(find_python)
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    # constraints.txt pins every package to the tested version (scripts/lock.sh refreshes it).
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$1"
}
