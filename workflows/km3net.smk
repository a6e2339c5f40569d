# KM3NeT/ARCA sensitivity to dark-matter annihilation in the Galactic Centre, from the public
# instrument response functions (km3irf) and CosmiXs neutrino spectra: one job per channel writes
# one limit file per livetime (they share the detector response).
# Physics: src/dmcombine/experiments/km3net.py with src/dmcombine/indirect/ (galactic, irf,
# oscillations, spectra); config: `km3net:` in config/config.yaml; inputs: data/km3net_irf/,
# data/spectra/cosmixs/; tests: tests/test_km3net.py.


rule km3net_sensitivity:
    input:
        catalogue=CATALOGUE,
        fetched=km3net_inputs,
    output:
        expand("results/km3net/{{channel}}/{years}yr.json", years=km3net_years()),
    log:
        "logs/km3net/{channel}/sensitivity.log",
    wildcard_constraints:
        channel=r"[a-z]+",
    conda:
        "../envs/dmcombine.yaml"
    container:
        IMAGE
    resources:
        mem_mb=1000,
        runtime=10,
        # REANA's Kubernetes memory limit for this job
        kubernetes_memory_limit="1Gi",
    params:
        cfg=km3net_config_arg,
    shell:
        "dmcombine --log {log} km3net sensitivity --config-json {params.cfg}"
        " --catalogue {input.catalogue} --outputs '{output}'"
        " --rule km3net_sensitivity {input.fetched}"


rule km3net_plot:
    input:
        limits=km3net_limit_files(),
    output:
        pdf=report(
            "results/km3net/sigmav_sensitivity.pdf",
            caption="../report/km3net.rst",
            category="KM3NeT",
        ),
        png=report(
            "results/km3net/sigmav_sensitivity.png",
            caption="../report/km3net.rst",
            category="KM3NeT",
        ),
    log:
        "logs/km3net/plot.log",
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
        " --title 'KM3NeT/ARCA Galactic Centre, projected' {input.limits}"
