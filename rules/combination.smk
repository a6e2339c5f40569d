# Combination and publication-ready outputs, written against standard limit files only:
# statistical combinations, the <sigma v> plane, the provenance table of every plotted curve,
# and the HEPData export.


rule combine:
    input:
        lambda wildcards: combination_groups()[wildcards.group],
    output:
        "results/combination/{group}/limit.json",
    log:
        "logs/combination/{group}.log",
    wildcard_constraints:
        group=r"[A-Za-z0-9_\-]+",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=1000,
        runtime=5,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="1Gi",
    params:
        cl=config["combination"]["confidence_level"],
    shell:
        "dmcombine --log {log} combine {wildcards.group} {input}"
        " --cl {params.cl} --output {output} --rule combine"


rule summary_sigmav_plot:
    input:
        sigmav_plane_files(),
    output:
        pdf=report(
            "results/summary/sigmav_summary.pdf",
            caption="../report/sigmav.rst",
            category="Summary",
        ),
        png=report(
            "results/summary/sigmav_summary.png",
            caption="../report/sigmav.rst",
            category="Summary",
        ),
    log:
        "logs/summary/sigmav_summary.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=1000,
        runtime=5,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="1Gi",
    shell:
        "dmcombine --log {log} plot sigmav-plane --pdf {output.pdf} --png {output.png} {input}"


rule summary_provenance:
    input:
        catalogue=CATALOGUE,
        limits=plotted_limit_files(),
        context=[fetched(c["did"]) for c in config["summary"]["si_context"]],
    output:
        csv=report(
            "results/summary/provenance.csv",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
        md="results/summary/provenance.md",
    log:
        "logs/summary/provenance.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=500,
        runtime=5,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="512Mi",
    params:
        context=provenance_context_args(),
    shell:
        "dmcombine --log {log} provenance {input.limits} {params.context}"
        " --catalogue {input.catalogue} --csv {output.csv} --markdown {output.md}"


rule hepdata_export:
    input:
        all_limit_files(),
    output:
        report(
            "results/hepdata/submission.tar.gz",
            caption="../report/hepdata.rst",
            category="HEPData",
        ),
    log:
        "logs/hepdata_export.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=1000,
        runtime=5,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="1Gi",
    shell:
        "dmcombine --log {log} hepdata --output {output} {input}"
