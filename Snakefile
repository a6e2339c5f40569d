# dmcombine: the whole DAG at a glance.
#
#   fetch_inputs         rules/inputs.smk        every input DID: materialise + verify checksums
#   darkside50_limit     workflows/darkside50.smk one limit file per model variant
#   fermi_dwarfs_limit   workflows/fermi_dwarfs.smk one limit file per (dwarf set, channel)
#   fermi_dwarfs_plot    workflows/fermi_dwarfs.smk <sigma v> limits of a dwarf set, thermal relic line
#   xlzd_sensitivity     workflows/xlzd.smk       projected exclusion + 3σ discovery per (variant, exposure)
#   atlas_dilepton_limits workflows/atlas_dilepton.smk excluded (M_med, m_chi), σ_SI/SD, ROOT file
#   summary_mediator_plot workflows/atlas_dilepton.smk the mediator plane, per benchmark
#   madmax_limit         workflows/madmax.smk     one g_agamma limit file per haloscope setup
#   km3net_sensitivity   workflows/km3net.smk     GC <sigma v> sensitivity per channel, one file per livetime
#   km3net_plot          workflows/km3net.smk     every channel's sensitivity for every livetime
#   summary_si_plot      rules/summary.smk       our SI limits beside published curves
#   summary_axion_plot   rules/summary.smk       the axion plane with the QCD axion band
#   combine              rules/combination.smk   sum of -2ΔlnL of independent results (per group)
#   summary_sigmav_plot  rules/combination.smk   the <sigma v> plane, one panel per channel
#   summary_provenance   rules/combination.smk   metadata table of every curve on every plot
#   hepdata_export       rules/combination.smk   all limit files as a validated HEPData submission
#   publish_results      rules/summary.smk       opt-in: upload the results to a Rucio RSE
#
# Experiments live in workflows/<experiment>.smk (their rules only); cross-cutting rules
# (fetching inputs, summaries) live in rules/. Physics and I/O live in the dmcombine package;
# every rule calls its CLI through shell:.

from snakemake.utils import min_version, validate

# 7.32.4 is what REANA's Snakemake engine runs; CI dry-runs the DAG under both 7.32.4 and 9.
min_version("7.32.4")


configfile: "config/config.yaml"


report: "report/workflow.rst"


validate(config, "config/config.schema.yaml", set_default=True)


include: "rules/common.smk"
include: "rules/inputs.smk"
include: "workflows/darkside50.smk"
include: "workflows/fermi_dwarfs.smk"
include: "workflows/madmax.smk"
include: "workflows/xlzd.smk"
include: "workflows/atlas_dilepton.smk"
include: "workflows/km3net.smk"
include: "rules/summary.smk"
include: "rules/combination.smk"


rule all:
    default_target: True
    input:
        final_targets(),
