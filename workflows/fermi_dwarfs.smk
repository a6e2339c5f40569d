# Fermi-LAT dwarf spheroidal galaxies: joint-likelihood limits on <sigma v>
# (Ackermann et al. 2015, arXiv:1503.02641; Albert et al. 2017, arXiv:1611.03184).
# Physics: src/dmcombine/experiments/fermi_dwarfs.py; config: `fermi_dwarfs:` in
# config/config.yaml; inputs: data/fermi_dwarfs/, data/spectra/; tests: tests/test_fermi_dwarfs.py.


rule fermi_dwarfs_limit:
    input:
        catalogue=CATALOGUE,
        fetched=fermi_inputs,
    output:
        "results/fermi_dwarfs/{dwarf_set}/{channel}/limit.json",
    log:
        "logs/fermi_dwarfs/{dwarf_set}/{channel}/limit.log",
    wildcard_constraints:
        dwarf_set=r"[A-Za-z0-9_\-]+",
        channel=r"[a-z]+",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=2000,
        runtime=10,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="2Gi",
    params:
        cfg=fermi_config_arg,
    shell:
        "dmcombine --log {log} fermi-dwarfs limit --config-json {params.cfg}"
        " --catalogue {input.catalogue} --output {output}"
        " --rule fermi_dwarfs_limit {input.fetched}"


rule fermi_dwarfs_plot:
    input:
        limits=lambda wildcards: fermi_limit_files(wildcards.dwarf_set),
    output:
        pdf=report(
            "results/fermi_dwarfs/{dwarf_set}/sigmav_limits.pdf",
            caption="../report/fermi_dwarfs.rst",
            category="Fermi-LAT dwarfs",
        ),
        png=report(
            "results/fermi_dwarfs/{dwarf_set}/sigmav_limits.png",
            caption="../report/fermi_dwarfs.rst",
            category="Fermi-LAT dwarfs",
        ),
    log:
        "logs/fermi_dwarfs/{dwarf_set}/plot.log",
    wildcard_constraints:
        dwarf_set=r"[A-Za-z0-9_\-]+",
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
        "dmcombine --log {log} plot sigmav --pdf {output.pdf} --png {output.png}"
        " --title 'Fermi-LAT dwarfs ({wildcards.dwarf_set})' {input.limits}"
