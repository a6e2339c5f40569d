# XLZD projected SI sensitivity (design book, arXiv:2410.17137): one file per (variant, exposure,
# kind), kind = projected (median exclusion) or discovery (median 3σ reach).
# src/dmcombine/experiments/xlzd/; docs/xlzd.md.


rule xlzd_sensitivity:
    input:
        job_files("xlzd_sensitivity"),
        card=job_card("xlzd_sensitivity"),
    output:
        limit=staged("results/xlzd/{variant}/{exposure}tyr/{kind}.json"),
    log:
        "logs/xlzd/{variant}/{exposure}tyr/{kind}.log",
    wildcard_constraints:
        kind="projected|discovery",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("xlzd_sensitivity"),
    shell:
        "dmcombine --log {log} run xlzd --card {input.card}"
        " --output limit={output.limit}"
