# Summary plots of the limit files beside published context curves.


rule summary_si_plot:
    input:
        catalogue=CATALOGUE,
        limits=si_plot_files(),
        context=[fetched(c["did"]) for c in config["summary"]["si_context"]],
    output:
        pdf=report(
            "results/summary/si_summary.pdf",
            caption="../report/si_summary.rst",
            category="Summary",
        ),
        png=report(
            "results/summary/si_summary.png",
            caption="../report/si_summary.rst",
            category="Summary",
        ),
    log:
        "logs/summary/si_summary.log",
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
        context=context_args(config["summary"]["si_context"]),
        limits=lambda wildcards, input: " ".join(f"--limit {p}" for p in input.limits),
    shell:
        "dmcombine --log {log} plot si {params.limits} {params.context}"
        " --catalogue {input.catalogue} --pdf {output.pdf} --png {output.png}"


rule summary_axion_plot:
    input:
        madmax_limit_files(),
    output:
        pdf=report(
            "results/summary/axion_summary.pdf",
            caption="../report/axion_summary.rst",
            category="Summary",
        ),
        png=report(
            "results/summary/axion_summary.png",
            caption="../report/axion_summary.rst",
            category="Summary",
        ),
    log:
        "logs/summary/axion_summary.log",
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
        "dmcombine --log {log} plot axion --pdf {output.pdf} --png {output.png} {input}"


# Opt-in (not part of `all`): `scripts/run.sh publish_results` uploads every final target to the
# configured RSE and dataset, with their checksums, and keeps a receipt.
rule publish_results:
    input:
        published_files(),
    output:
        "results/published/receipt.json",
    log:
        "logs/publish_results.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=500,
        runtime=10,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="512Mi",
    params:
        rse=publish_target("rse"),
        dataset=publish_target("dataset"),
    shell:
        "dmcombine --log {log} rucio publish --rse {params.rse} --dataset {params.dataset}"
        " --receipt {output} {input}"
