# DarkSide-50 532-day high-mass WIMP search (arXiv:1802.07198): one limit file per model variant.
# Planning, physics, config and inputs: src/dmcombine/experiments/darkside50/; docs/darkside50.md.


rule darkside50_limit:
    input:
        job_files("darkside50_limit"),
        card=job_card("darkside50_limit"),
    output:
        limit=staged("results/darkside50/{variant}/limit.json"),
    log:
        "logs/darkside50/{variant}.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("darkside50_limit"),
    shell:
        "dmcombine --log {log} run darkside50 --card {input.card}"
        " --output limit={output.limit}"
