# ATLAS 139 fb^-1 dilepton search (arXiv:1903.06248) reinterpreted for LHC DM WG spin-1 mediators:
# per benchmark the excluded (M_med, m_chi) region (observed and expected, with the signal-strength
# likelihood on the grid) and a ROOT file; rules/models.smk translates it to sigma_SI/SD.
# src/dmcombine/experiments/atlas_dilepton/; docs/atlas_dilepton.md.


rule atlas_dilepton_limits:
    input:
        job_files("atlas_dilepton_limits"),
        card=job_card("atlas_dilepton_limits"),
    output:
        mediator_observed=staged(
            "results/atlas_dilepton/{benchmark}/mediator_observed.json"
        ),
        mediator_expected=staged(
            "results/atlas_dilepton/{benchmark}/mediator_expected.json"
        ),
        root=staged("results/atlas_dilepton/{benchmark}/limits.root"),
    log:
        "logs/atlas_dilepton/{benchmark}.log",
    group:
        ANALYSIS
    conda:
        ENV
    container:
        IMAGE
    resources:
        **job_resources("atlas_dilepton_limits"),
    shell:
        "dmcombine --log {log} run atlas_dilepton --card {input.card}"
        " --output mediator_observed={output.mediator_observed} --output root={output.root}"
        " --output mediator_expected={output.mediator_expected}"
