#!/usr/bin/env bash
# Set up every environment the tests need (the project's, and REANA's own with Snakemake 7.32.4)
# and run the whole test suite: unit and physics tests, the workflow end to end on the shipped
# inputs, lint, format, the DAG under Snakemake 9 and 7.32.4, and `reana-client validate`.
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not workflow"` for the fast part.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh all
exec .venv/bin/python -m pytest "$@"
