# Fermi-LAT dwarf spheroidal galaxies: joint-likelihood limits on <sigma v> (arXiv:1503.02641,
# arXiv:1611.03184), one job per channel writing one file per dwarf set (the outputs come from the
# plan: the sets are configuration), and one plot per dwarf set.
# src/dmcombine/experiments/fermi_dwarfs/; docs/fermi_dwarfs.md.


rule fermi_dwarfs_limit:
    input:
        job_files("fermi_dwarfs_limit"),
        card=job_card("fermi_dwarfs_limit"),
    output:
        planned_outputs("fermi_dwarfs_limit"),
    log:
        "logs/fermi_dwarfs/{channel}.log",
    wildcard_constraints:
        channel=r"[a-z]+",
    # the run's longest jobs, started first: the <sigma v> combinations, plot and the catalogue
    # after them then do not wait for one at the end
    priority: 1
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("fermi_dwarfs_limit"),
    params:
        outputs=planned_output_options("fermi_dwarfs_limit"),
    shell:
        "dmcombine --log {log} run fermi_dwarfs --card {input.card} {params.outputs}"


rule fermi_dwarfs_plot:
    input:
        job_files("fermi_dwarfs_plot"),
        card=job_card("fermi_dwarfs_plot"),
    output:
        pdf=report(
            staged("results/fermi_dwarfs/{dwarf_set}/sigmav_limits.pdf"),
            caption="../src/dmcombine/experiments/fermi_dwarfs/report.rst",
            category="Fermi-LAT dwarfs",
        ),
        png=report(
            staged("results/fermi_dwarfs/{dwarf_set}/sigmav_limits.png"),
            caption="../src/dmcombine/experiments/fermi_dwarfs/report.rst",
            category="Fermi-LAT dwarfs",
        ),
    log:
        "logs/fermi_dwarfs/{dwarf_set}/plot.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("fermi_dwarfs_plot"),
    shell:
        "dmcombine --log {log} plot --card {input.card}"
        " --output pdf={output.pdf} --output png={output.png}"
