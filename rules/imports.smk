# Published curves as standard limit files (config/imports.yaml, the `imports` section): one job
# per curve, its input by DID. The file says "published" (never recomputed) and carries the
# references, who digitised it, its licence and original units; the summary plots draw it as context.


rule limitfile_import:
    input:
        job_files("limitfile_import"),
        card=job_card("limitfile_import"),
    output:
        limit=staged("results/imported/{name}/limit.json"),
    log:
        "logs/imported/{name}.log",
    wildcard_constraints:
        name=r"[a-z0-9][a-z0-9_]*",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("limitfile_import"),
    shell:
        "dmcombine --log {log} limitfile import --card {input.card}"
        " --output limit={output.limit}"
