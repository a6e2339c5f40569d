#!/usr/bin/env bash
# Create the project's environments from the lock files (requirements/*.lock), on a machine that
# has only Python 3.11+ and the package registries. Safe to run again: an environment whose lock
# file has not changed since it was built is left as it is.
#
#   scripts/setup.sh          -> .venv        (analysis package, Snakemake 9, test tools)
#   scripts/setup.sh reana    -> .venv-reana  (reana-client + Snakemake 7.32.4, REANA's engine)
#   scripts/setup.sh rucio    -> .venv-rucio  (Rucio server, for the tests' local data lake)
#   scripts/setup.sh slurm    -> Debian's slurm-wlm and munge for the tests' cluster (root only)
#   scripts/setup.sh browser  -> Debian's chromium and chromium-driver for the catalogue's browser test
#   scripts/setup.sh all      -> these three, .venv-htcondor, Slurm and Chromium where the machine allows
#   scripts/setup.sh htcondor -> .venv-htcondor (.venv plus the HTCondor executor plugin) and
#                                .lab/trixie: a Debian 13 root file system with HTCondor, for the
#                                opt-in HTCondor test (root only; Debian 12 has no HTCondor)
#   scripts/setup.sh apptainer -> Apptainer in that root file system, and .lab/dmcombine.sif, the
#                                analysis image built without a registry (opt-in Apptainer test)
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
        compile_sources "$dir" "$editable"
        return
    fi
    echo "setup: building $dir from $lock"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    # The installer (uv) is itself pinned by hash; plain pip only installs it.
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements/bootstrap.lock
    # Bytecode compiled now: where PYTHONDONTWRITEBYTECODE is set, every job would otherwise
    # compile Snakemake, numpy, scipy and matplotlib from source at each start (2-3 s per job).
    "$dir/bin/uv" pip sync --quiet --compile-bytecode --python "$dir/bin/python" --require-hashes "$lock"
    if [[ -n "$editable" ]]; then
        # The package itself, editable, without touching the locked dependencies.
        "$dir/bin/uv" pip install --quiet --python "$dir/bin/python" --no-deps -e .
    fi
    compile_sources "$dir" "$editable"
    echo "$want" > "$stamp"
}

compile_sources() {  # compile_sources VENV EDITABLE: the package's own bytecode (changed files only)
    if [[ -n "$2" ]]; then
        "$1/bin/python" -m compileall -q -j 0 src >/dev/null
    fi
}

apt_on_host() {  # apt_on_host PACKAGE...: Debian packages on this machine (root)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

tools_from_debian() {  # tools_from_debian WHAT "COMMANDS" PACKAGE...: Debian packages for a test, once (root)
    local what=$1 commands=$2 missing=""
    shift 2
    for command in $commands; do
        command -v "$command" >/dev/null || missing=1
    done
    if [[ -z "$missing" ]]; then
        echo "setup: $what is installed"
    elif [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "setup: cannot install $what here (needs root and apt-get); its test will say so" >&2
    else
        echo "setup: installing $* from Debian"
        apt_on_host "$@"
    fi
}

install_slurm() {  # Debian's Slurm and munge, for the tests' single-node cluster
    tools_from_debian Slurm "slurmctld munged" slurm-wlm slurmctld slurmd slurm-client munge
}

install_browser() {  # Debian's Chromium and its driver, for the results catalogue's browser test
    tools_from_debian Chromium "chromium chromedriver" chromium chromium-driver
}

debian_mirror() {  # the Debian mirror apt already uses on this machine
    local found
    found=$(cat /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null \
        | awk '$1 == "URIs:" || $1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) {print $i; exit}}' || true)
    echo "${found:-http://deb.debian.org/debian}"
}

apt_in_root() {  # apt_in_root ROOT "UPDATE-OPTIONS" INSTALL-ARGS...: Debian packages into a lab root
    local root=$1 update_options=$2
    shift 2
    mount -t proc proc "$root/proc"
    chroot "$root" bash -c "apt-get $update_options update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $*" >/dev/null
    umount "$root/proc"
}

install_htcondor_lab() {  # Debian 13 (trixie) root file system with Debian's htcondor, in .lab/
    local root=.lab/trixie
    if [[ -x "$root/usr/sbin/condor_master" && -f "$root/.dmcombine-ready" ]]; then
        echo "setup: $root has HTCondor"
        return
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "setup: cannot build the HTCondor root file system here (needs root and apt-get)" >&2
        return 1
    fi
    command -v debootstrap >/dev/null || apt_on_host debootstrap
    local mirror
    mirror=$(debian_mirror)
    echo "setup: building $root (trixie, from $mirror) with htcondor"
    rm -rf "$root"
    mkdir -p .lab
    # The libraries the project's Python (bind-mounted from the host at run time) links against.
    debootstrap --variant=minbase \
        --include=ca-certificates,libbz2-1.0,libffi8,liblzma5,libsqlite3-0,libssl3t64,libreadline8t64,libncursesw6,libexpat1,libuuid1,zlib1g \
        trixie "$root" "$mirror" >/dev/null
    chmod 1777 "$root/tmp"
    apt_in_root "$root" "" htcondor
    chroot "$root" useradd -m -u 1000 -s /bin/bash lab
    # lab runs the project's Python, bind-mounted at its host path (a pyenv Python lives in /root)
    chmod 755 "$root/root"
    touch "$root/.dmcombine-ready"
}

install_apptainer_lab() {  # Apptainer in .lab/trixie, and the analysis image .lab/dmcombine.sif
    install_htcondor_lab
    local root=.lab/trixie image=.lab/image mirror want
    mirror=$(debian_mirror)
    if [[ ! -x "$root/usr/bin/apptainer" ]]; then
        # Debian has Apptainer only in sid (1.4)
        echo "setup: installing apptainer from Debian sid in $root"
        echo "deb $mirror sid main" > "$root/etc/apt/sources.list.d/sid.list"
        apt_in_root "$root" "-o Acquire::Check-Valid-Until=false" -t unstable apptainer
    fi
    want=$(cat requirements/main.lock requirements/bootstrap.lock pyproject.toml envs/dmcombine.def $(find src -name '*.py' -o -name '*.json' -o -name '*.yaml' -o -name '*.rst' | sort) | sha256sum | cut -d' ' -f1)
    if [[ -f .lab/dmcombine.sif && "$(cat .lab/dmcombine.sif.sha256 2>/dev/null)" == "$want" ]]; then
        echo "setup: .lab/dmcombine.sif is up to date"
        return
    fi
    # The image's root: what envs/dmcombine.def builds from python:3.11-slim-bookworm, made here
    # without a registry: Debian 12 with its Python 3.11, then the lock file's wheels, hash-checked,
    # and the package, with the same commands as the recipe's %post.
    echo "setup: building the analysis image root $image (bookworm + requirements/main.lock)"
    rm -rf "$image" .lab/dmcombine.sif
    debootstrap --variant=minbase --include=python3,python3-pip,ca-certificates bookworm "$image" "$mirror" >/dev/null
    mkdir -p "$image/opt/dmcombine"
    cp -r requirements pyproject.toml README.md LICENSE src "$image/opt/dmcombine/"
    cp /etc/resolv.conf "$image/etc/resolv.conf"
    # this machine's CA bundle (its registry access), for the build only
    cp /etc/ssl/certs/ca-certificates.crt "$image/tmp/build-ca.crt"
    chroot "$image" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root PIP_CERT=/tmp/build-ca.crt \
        SSL_CERT_FILE=/tmp/build-ca.crt UV_NATIVE_TLS=1 bash -c 'set -e; cd /opt/dmcombine
        python3 -m pip install -q --break-system-packages --no-cache-dir --require-hashes --no-deps -r requirements/bootstrap.lock
        uv pip install -q --system --break-system-packages --no-cache --require-hashes -r requirements/main.lock
        uv pip install -q --system --break-system-packages --no-cache --no-deps .
        dmcombine --version'
    rm -rf "$image/opt/dmcombine/src" "$image/var/cache/apt" "$image/var/lib/apt/lists" "$image"/tmp/build-*
    echo "setup: building .lab/dmcombine.sif with Apptainer"
    LAB_BINDS="$PWD/.lab" scripts/lab-enter.sh apptainer -q build "$PWD/.lab/dmcombine.sif" "$PWD/$image"
    echo "$want" > .lab/dmcombine.sif.sha256
}

case "${1:-main}" in
    main) make_env .venv requirements/main.lock editable ;;
    reana) make_env .venv-reana requirements/reana.lock ;;
    rucio) make_env .venv-rucio requirements/rucio-server.lock ;;
    slurm) install_slurm ;;
    browser) install_browser ;;
    htcondor) make_env .venv-htcondor requirements/htcondor.lock editable; install_htcondor_lab ;;
    apptainer) install_apptainer_lab ;;
    all)
        make_env .venv requirements/main.lock editable
        make_env .venv-reana requirements/reana.lock
        make_env .venv-rucio requirements/rucio-server.lock
        make_env .venv-htcondor requirements/htcondor.lock editable
        install_slurm
        install_browser
        ;;
    *) echo "usage: scripts/setup.sh [main|reana|rucio|slurm|browser|htcondor|apptainer|all]" >&2; exit 2 ;;
esac
