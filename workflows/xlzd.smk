# XLZD projected SI sensitivity (design book, arXiv:2410.17137): one job per (variant, exposure)
# writes both kinds, projected (median exclusion) and discovery (median 3σ reach).
# src/dmcombine/experiments/xlzd/; docs/xlzd.md.


rule xlzd_sensitivity:
    input:
        job_files("xlzd_sensitivity"),
        card=job_card("xlzd_sensitivity"),
    output:
        planned_outputs("xlzd_sensitivity"),
    log:
        "logs/xlzd/{variant}/{exposure}tyr.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("xlzd_sensitivity"),
    params:
        outputs=planned_output_options("xlzd_sensitivity"),
    shell:
        "dmcombine --log {log} run xlzd --card {input.card} {params.outputs}"
