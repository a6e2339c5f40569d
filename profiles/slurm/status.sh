#!/usr/bin/env bash
# Job state for Snakemake's generic cluster executor: prints running, success or failed for the
# Slurm job id in $1 (what `sbatch --parsable` printed). Asks slurmctld (squeue, then scontrol,
# which keeps a finished job for MinJobAge, 300 s by default); sacct where accounting exists.
set -uo pipefail
id="${1%%;*}"
state="$(squeue --noheader --jobs "$id" --format %T 2>/dev/null | head -n 1)"
[ -n "$state" ] || state="$(scontrol show job -o "$id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)"
[ -n "$state" ] || state="$(sacct --noheader --allocations --jobs "$id" --format State 2>/dev/null | awk 'NR == 1 {print $1}')"
case "$state" in
    COMPLETED) echo success ;;
    PENDING | CONFIGURING | RUNNING | COMPLETING | SUSPENDED | REQUEUED | REQUEUE_HOLD | REQUEUE_FED | RESIZING | SIGNALING | STAGE_OUT | STOPPED | PREEMPTED)
        echo running ;;
    "") echo "status.sh: Slurm knows no job $id (squeue, scontrol, sacct)" >&2; echo failed ;;
    *) echo failed ;;
esac
