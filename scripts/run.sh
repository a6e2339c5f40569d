#!/usr/bin/env bash
# Set up the environment from the lock files (first time only) and run the whole workflow on the
# shipped inputs. Extra arguments go to Snakemake, e.g. `scripts/run.sh --dry-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh main
export PATH="$PWD/.venv/bin:$PATH"
exec snakemake --workflow-profile profiles/local --cores "${CORES:-all}" "$@"
