# Fetching inputs: every input file is materialised by DID under resources/inputs/ and its size,
# adler32 and md5 are checked against the inputs catalogue; a mismatch stops the run here.


rule fetch_input:
    input:
        catalogue=CATALOGUE,
        shipped=shipped_copy,
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
    shell:
        "dmcombine --log {log} fetch {params.did} --catalogue {input.catalogue}"
        " --source {params.source} --shipped {input.shipped} --output {output}"
