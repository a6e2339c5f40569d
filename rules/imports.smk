# Published curves as standard limit files (config/imports.yaml, the `imports` section): one job
# converts every shown curve (each curve is milliseconds of work; one job each cost a Python
# start-up each), its inputs by DID, one output per curve (from the plan). Each file says
# "published" (never recomputed) and carries the references, who digitised it, its licence and
# original units; the summary plots draw it as context.


rule limitfile_import:
    input:
        job_files("limitfile_import"),
        card=job_card("limitfile_import"),
    output:
        planned_outputs("limitfile_import"),
    log:
        "logs/imported.log",
    # the published context of every summary plot: early, so that no summary waits for it
    priority: 1
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("limitfile_import"),
    params:
        outputs=planned_output_options("limitfile_import"),
    shell:
        "dmcombine --log {log} limitfile import --card {input.card} {params.outputs}"
