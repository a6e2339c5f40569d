#!/usr/bin/env bash
# Create the project's environments from the lock files (requirements/*.lock), on a machine that
# has only Python 3.11+ and the package registries. Safe to run again: an environment whose lock
# file has not changed since it was built is left as it is.
#
#   scripts/setup.sh          -> .venv        (analysis package, Snakemake 9, test tools)
#   scripts/setup.sh reana    -> .venv-reana  (reana-client + Snakemake 7.32.4, REANA's engine)
#   scripts/setup.sh rucio    -> .venv-rucio  (Rucio server, for the tests' local data lake)
#   scripts/setup.sh slurm    -> Debian's slurm-wlm and munge for the tests' cluster (root only)
#   scripts/setup.sh all      -> the three environments, and Slurm where the machine allows
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

make_env() {  # make_env DIR LOCKFILE [editable]
    local dir=$1 lock=$2 editable=${3:-}
    local stamp="$dir/.lock-sha256"
    local want
    want=$(cat "$lock" requirements/bootstrap.lock pyproject.toml | sha256sum | cut -d' ' -f1)
    if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        echo "setup: $dir is up to date with $lock"
        return
    fi
    echo "setup: building $dir from $lock"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    # The installer (uv) is itself pinned by hash; plain pip only installs it.
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements/bootstrap.lock
    "$dir/bin/uv" pip sync --quiet --python "$dir/bin/python" --require-hashes "$lock"
    if [[ -n "$editable" ]]; then
        # The package itself, editable, without touching the locked dependencies.
        "$dir/bin/uv" pip install --quiet --python "$dir/bin/python" --no-deps -e .
    fi
    echo "$want" > "$stamp"
}

install_slurm() {  # Debian's Slurm and munge, for the tests' single-node cluster
    if command -v slurmctld >/dev/null && command -v munged >/dev/null; then
        echo "setup: Slurm is installed"
        return
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "setup: cannot install Slurm here (needs root and apt-get); the Slurm test will say so" >&2
        return
    fi
    echo "setup: installing slurm-wlm and munge from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurm-wlm slurmctld slurmd slurm-client munge >/dev/null
}

case "${1:-main}" in
    main) make_env .venv requirements/main.lock editable ;;
    reana) make_env .venv-reana requirements/reana.lock ;;
    rucio) make_env .venv-rucio requirements/rucio-server.lock ;;
    slurm) install_slurm ;;
    all)
        make_env .venv requirements/main.lock editable
        make_env .venv-reana requirements/reana.lock
        make_env .venv-rucio requirements/rucio-server.lock
        install_slurm
        ;;
    *) echo "usage: scripts/setup.sh [main|reana|rucio|slurm|all]" >&2; exit 2 ;;
esac
