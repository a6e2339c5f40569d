# ATLAS 139 fb^-1 dilepton resonance search (arXiv:1903.06248) reinterpreted for LHC DM WG
# spin-1 mediators: excluded (M_med, m_chi) region, its sigma_SI/SD translation, a ROOT file.
# Physics: src/dmcombine/experiments/atlas_dilepton.py; config: `atlas_dilepton:` in
# config/config.yaml; inputs: data/atlas_dilepton/; tests: tests/test_atlas_dilepton.py.


rule atlas_dilepton_limits:
    input:
        catalogue=CATALOGUE,
        fetched=atlas_inputs,
    output:
        mediator_observed="results/atlas_dilepton/{benchmark}/mediator_observed.json",
        mediator_expected="results/atlas_dilepton/{benchmark}/mediator_expected.json",
        dd_observed="results/atlas_dilepton/{benchmark}/dd_observed.json",
        root="results/atlas_dilepton/{benchmark}/limits.root",
    log:
        "logs/atlas_dilepton/{benchmark}.log",
    wildcard_constraints:
        benchmark=r"[A-Za-z0-9_\-]+",
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
        cfg=atlas_config_arg,
    shell:
        "dmcombine --log {log} atlas-dilepton limits --config-json {params.cfg}"
        " --catalogue {input.catalogue} --mediator-observed {output.mediator_observed}"
        " --mediator-expected {output.mediator_expected} --dd-observed {output.dd_observed}"
        " --root {output.root} --rule atlas_dilepton_limits {input.fetched}"


rule summary_mediator_plot:
    input:
        atlas_files("mediator_observed") + atlas_files("mediator_expected"),
    output:
        pdf=report(
            "results/summary/mediator_summary.pdf",
            caption="../report/mediator_summary.rst",
            category="Summary",
        ),
        png=report(
            "results/summary/mediator_summary.png",
            caption="../report/mediator_summary.rst",
            category="Summary",
        ),
    log:
        "logs/summary/mediator_summary.log",
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
        "dmcombine --log {log} plot mediator --pdf {output.pdf} --png {output.png} {input}"
