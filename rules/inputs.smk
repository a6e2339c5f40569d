# Fetching inputs: every input file the enabled experiments and summaries need is materialised by
# its DID under resources/inputs/<scope>/<name>, and its size, adler32 and md5 are checked against
# the inputs catalogue; a mismatch stops the run here and nothing downstream is produced.
# The source is config["inputs"]["source"]: the shipped copies in data/, or the DIDs from Rucio
# (one Rucio download for all of them). A plain shell rule calling the Rucio client, not a
# storage plugin, so the same DAG runs under Snakemake 7.32 (REANA) and 9.


rule fetch_inputs:
    input:
        catalogue=CATALOGUE,
        shipped=shipped_copies(),  # embedded mode only; nothing in Rucio mode
    output:
        [fetched(did) for did in needed_dids()],
    log:
        "logs/fetch_inputs.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=500,
        runtime=10,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="512Mi",
        # REANA: give this job the Rucio client set-up (from the user's REANA secrets) in Rucio mode
        rucio=config["inputs"]["source"] == "rucio",
    params:
        source=config["inputs"]["source"],
        attempts=config["inputs"]["rucio_attempts"],
    shell:
        "dmcombine --log {log} fetch --catalogue {input.catalogue} --source {params.source}"
        " --attempts {params.attempts} --shipped '{input.shipped}' {output}"
