# Combinations and publication-ready outputs, written against standard limit files only:
# statistical combinations (groups formed by the plan from the limit files' metadata, plus
# combination.groups), the provenance table of every plotted curve, and the HEPData export.


rule combine:
    input:
        job_files("combine"),
        card=job_card("combine"),
    output:
        limit=staged("results/combination/{group}/limit.json"),
    log:
        "logs/combination/{group}.log",
    # short, and read by the summary plots: run as soon as their members are there
    priority: 1
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("combine"),
    shell:
        "dmcombine --log {log} combine --card {input.card}"
        " --output limit={output.limit}"


rule summary_provenance:
    input:
        job_files("summary_provenance"),
        card=job_card("summary_provenance"),
    output:
        csv=report(
            staged("results/summary/provenance.csv"),
            caption="../report/provenance.rst",
            category="Provenance",
        ),
        md=staged("results/summary/provenance.md"),
    log:
        "logs/summary/provenance.log",
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("summary_provenance"),
    shell:
        "dmcombine --log {log} provenance --card {input.card}"
        " --output csv={output.csv} --output md={output.md}"


rule hepdata_export:
    input:
        job_files("hepdata_export"),
        card=job_card("hepdata_export"),
    output:
        submission=report(
            staged("results/hepdata/submission.tar.gz"),
            caption="../report/hepdata.rst",
            category="HEPData",
        ),
    log:
        "logs/hepdata_export.log",
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("hepdata_export"),
    shell:
        "dmcombine --log {log} hepdata --card {input.card}"
        " --output submission={output.submission}"
