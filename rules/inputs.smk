# Inputs. In embedded mode (the default) jobs read the shipped copies in data/ directly, each
# checked against its catalogued size and checksums when read. In Rucio mode (inputs.source: rucio)
# one fetch job per input DID downloads it, checks Rucio's record and the bytes against the
# catalogue, and publishes the verified copy to resources/inputs/<scope>/<name>: a failed fetch
# removes nothing already verified, and a changed input reruns only the jobs that read it. A plain
# shell rule calling the Rucio client, not a storage plugin, so the same DAG runs under Snakemake
# 7.32 (REANA) and 9.


rule fetch_input:
    input:
        job_files("fetch_input"),
        card=job_card("fetch_input"),
    output:
        input=staged("resources/inputs/{scope}/{name}"),
    log:
        "logs/inputs/{scope}/{name}.log",
    wildcard_constraints:
        scope=r"[A-Za-z0-9_][A-Za-z0-9_.\-]*",
        name=r"[A-Za-z0-9_][A-Za-z0-9_.\-]*",
    group:
        INPUTS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("fetch_input"),
    shell:
        "dmcombine --log {log} fetch --card {input.card}"
        " --output input={output.input}"


# Opt-in (not part of `all`): `scripts/run.sh publish_results` uploads every final target to the
# configured RSE and dataset, with their checksums, and keeps a receipt.
rule publish_results:
    input:
        PLAN.final_targets(),
    output:
        staged("results/published/receipt.json"),
    log:
        "logs/publish_results.log",
    group:
        INPUTS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("publish_results"),
    params:
        rse=lambda wildcards: quote_all([PLAN.publish_target("rse")]),
        dataset=lambda wildcards: quote_all([PLAN.publish_target("dataset")]),
        files=lambda wildcards, input: quote_all(input),
    shell:
        "dmcombine --log {log} rucio publish --rse {params.rse} --dataset {params.dataset}"
        " --receipt {output} {params.files}"
