#!/usr/bin/env bash
# Run a command inside the Debian 13 root file system of the opt-in cluster and container tests
# (.lab/trixie, made by `scripts/setup.sh htcondor`), entered with its own mount and PID namespaces
# and pivot_root: Apptainer refuses a plain chroot. Host paths listed in LAB_BINDS (space-separated)
# appear at the same paths inside. Root only. Everything is undone when the command ends.
#   LAB_BINDS="/work/main /root/.pyenv/versions/3.11.7" scripts/lab-enter.sh apptainer --version
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)/.lab/trixie
[[ -x "$ROOT/usr/bin/env" ]] || { echo "lab-enter: $ROOT is missing: run scripts/setup.sh htcondor" >&2; exit 2; }
exec unshare --mount --pid --fork bash -c '
set -euo pipefail
root=$1; shift
mount --make-rprivate /
mount --bind "$root" "$root"
for path in ${LAB_BINDS:-}; do
    mkdir -p "$root$path"
    mount --bind "$path" "$root$path"
done
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
mount -t proc proc /proc
mount -t sysfs sys /sys 2>/dev/null || true
mount --rbind /.oldroot/dev /dev
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
umount -l /.oldroot
exec "$@"' lab-enter "$ROOT" "$@"
