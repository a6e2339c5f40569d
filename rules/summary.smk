# One summary plot per plane that has results (si, sd, sigmav, mediator, axion: src/dmcombine/
# planes.py), of every limit file drawn in it, beside the published context curves configured in
# summary.context; the plane of a file comes from its parameter of interest.


rule summary_plot:
    input:
        job_files("summary_plot"),
        card=job_card("summary_plot"),
    output:
        pdf=report(
            staged("results/summary/{plane}_summary.pdf"),
            caption="../report/summary.rst",
            category="Summary",
        ),
        png=report(
            staged("results/summary/{plane}_summary.png"),
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        "logs/summary/{plane}.log",
    wildcard_constraints:
        plane=r"[a-z]+",
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("summary_plot"),
    shell:
        "dmcombine --log {log} plot --card {input.card}"
        " --output pdf={output.pdf} --output png={output.png}"
