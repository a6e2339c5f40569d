# Summary plots of the limit files beside published context curves.


rule summary_si_plot:
    input:
        catalogue=CATALOGUE,
        limits=limit_files("darkside50"),
        context=[fetched(c["did"]) for c in config["summary"]["si_context"]],
    output:
        pdf="results/summary/si_summary.pdf",
        png="results/summary/si_summary.png",
    log:
        "logs/summary/si_summary.log",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    params:
        context=context_args(config["summary"]["si_context"]),
        limits=lambda wildcards, input: " ".join(f"--limit {p}" for p in input.limits),
    shell:
        "dmcombine --log {log} plot si {params.limits} {params.context}"
        " --catalogue {input.catalogue} --pdf {output.pdf} --png {output.png}"
