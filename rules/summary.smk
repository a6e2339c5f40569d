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
        plane=r"[A-Za-z0-9_\-]+",
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


# The browsable results catalogue: a page per limit file, plane, experiment and input dataset, and
# an index with search and filters (src/dmcombine/site.py): static files, usable from file://.
rule results_catalogue:
    input:
        job_files("results_catalogue"),
        card=job_card("results_catalogue"),
    output:
        index=staged("results/catalogue/index.html"),
    log:
        "logs/summary/catalogue.log",
    # the last job: once it can start, the other summaries run beside it
    priority: 1
    group:
        SUMMARIES
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("results_catalogue"),
    shell:
        "dmcombine --log {log} results-catalogue --card {input.card}"
        " --output index={output.index}"
