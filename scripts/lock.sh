#!/usr/bin/env bash
# Refresh constraints.txt: resolve pyproject.toml's ranges afresh in a clean venv and record every version.
# Both README commands and the Dockerfile install with these pins; run this, then the test command, to move them.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
py=$(find_python)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check ".[test]"
{
    echo "# The tested versions of every dependency (scripts/lock.sh writes this; do not edit by hand)."
    "$tmp/venv/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable | grep -iv '^ptlab[= @]'
} >constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) pins)"
