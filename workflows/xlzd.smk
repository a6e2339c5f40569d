# XLZD projected SI sensitivity and 3-sigma discovery reach (design book, arXiv:2410.17137):
# one job per (variant, exposure, kind), kind = projected (median exclusion) or discovery.
# Physics: src/dmcombine/experiments/xlzd.py (signal, backgrounds, Asimov likelihood) with
# src/dmcombine/direct_detection/ (rates, CEvNS, neutrino-electron scattering);
# config: `xlzd:` and `dd_variants:` in config/config.yaml; inputs: data/neutrino_fluxes/;
# tests: tests/test_xlzd.py.


rule xlzd_sensitivity:
    input:
        catalogue=CATALOGUE,
        fetched=xlzd_inputs,
    output:
        "results/xlzd/{variant}/{exposure}tyr/{kind}.json",
    log:
        "logs/xlzd/{variant}/{exposure}tyr/{kind}.log",
    wildcard_constraints:
        variant=r"[A-Za-z0-9_\-]+",
        exposure=r"[0-9.e+]+",
        kind="projected|discovery",
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
        cfg=xlzd_config_arg,
    shell:
        "dmcombine --log {log} xlzd sensitivity --config-json {params.cfg}"
        " --catalogue {input.catalogue} --kind {wildcards.kind} --output {output}"
        " --rule xlzd_sensitivity {input.fetched}"
