# Fetching inputs: every input file is materialised by DID under resources/inputs/ and its size,
# adler32 and md5 are checked against the inputs catalogue; a mismatch stops the run here.
# The source is config["inputs"]["source"]: the shipped copy, or the DID from Rucio. A shell
# rule calling the Rucio client (not a storage plugin) so the same DAG runs under Snakemake 7.32.


rule fetch_input:
    input:
        catalogue=CATALOGUE,
        shipped=shipped_copy,  # embedded mode only; nothing in Rucio mode
    output:
        "resources/inputs/{scope}/{name}",
    log:
        "logs/fetch_input/{scope}/{name}.log",
    wildcard_constraints:
        scope=r"[A-Za-z0-9_.\-]+",
        name=r"[A-Za-z0-9_.\-]+",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    params:
        did="{scope}:{name}",
        source=config["inputs"]["source"],
        attempts=config["inputs"]["rucio_attempts"],
    shell:
        "dmcombine --log {log} fetch {params.did} --catalogue {input.catalogue}"
        " --source {params.source} --shipped={input.shipped} --attempts {params.attempts}"
        " --output {output}"
