#!/usr/bin/env bash
# Set up .venv and start ptlab on http://127.0.0.1:8000; prints the presenter URL.
# Any arguments go to the server, e.g. scripts/serve.sh --port 9000
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
make_venv ""
exec .venv/bin/ptlab "$@"
