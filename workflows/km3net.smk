# KM3NeT/ARCA Galactic Centre sensitivity to DM annihilation from the public IRFs and CosmiXs
# spectra: one job per channel writes one limit file per livetime (the outputs come from the plan:
# the livetimes are configuration), and one plot of all of them.
# src/dmcombine/experiments/km3net/; docs/km3net.md.


rule km3net_sensitivity:
    input:
        job_files("km3net_sensitivity"),
        card=job_card("km3net_sensitivity"),
    output:
        planned_outputs("km3net_sensitivity"),
    log:
        "logs/km3net/{channel}.log",
    # with Fermi-LAT's, the inputs of the <sigma v> combinations and plot, the run's longest
    # summary: started first, they leave no summary waiting at the end
    priority: 1
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("km3net_sensitivity"),
    params:
        outputs=planned_output_options("km3net_sensitivity"),
    shell:
        "dmcombine --log {log} run km3net --card {input.card} {params.outputs}"


rule km3net_plot:
    input:
        job_files("km3net_plot"),
        card=job_card("km3net_plot"),
    output:
        pdf=report(
            staged("results/km3net/sigmav_sensitivity.pdf"),
            caption="../src/dmcombine/experiments/km3net/report.rst",
            category="KM3NeT",
        ),
        png=report(
            staged("results/km3net/sigmav_sensitivity.png"),
            caption="../src/dmcombine/experiments/km3net/report.rst",
            category="KM3NeT",
        ),
    log:
        "logs/km3net/plot.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("km3net_plot"),
    shell:
        "dmcombine --log {log} plot --card {input.card}"
        " --output pdf={output.pdf} --output png={output.png}"
