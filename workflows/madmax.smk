# MADMAX dielectric haloscope: the prototype's axion limit (arXiv:2409.11777) and the full-scale
# projected reach (arXiv:1901.07401), one limit file per setup; no input files (every number is in
# the config with its source). src/dmcombine/experiments/madmax/; docs/madmax.md.


rule madmax_limit:
    input:
        job_files("madmax_limit"),
        card=job_card("madmax_limit"),
    output:
        limit=staged("results/madmax/{setup}/limit.json"),
    log:
        "logs/madmax/{setup}.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("madmax_limit"),
    shell:
        "dmcombine --log {log} run madmax --card {input.card}"
        " --output limit={output.limit}"
