# dmcombine: the whole DAG at a glance.
#
#   rules/common.smk        PLAN: every job of this run, from the config (src/dmcombine/planning)
#   rules/inputs.smk        fetch_input      Rucio mode: one DID, verified, into resources/inputs/
#                           publish_results  opt-in: upload the results to a Rucio RSE
#   rules/imports.smk       limitfile_import published curves (config/imports.yaml) as limit files
#   workflows/<name>.smk    one rule file per experiment in src/dmcombine/registry.py, e.g.
#                           darkside50_limit (per variant), fermi_dwarfs_limit (per channel, a file per set),
#                           xlzd_sensitivity, atlas_dilepton_limits, madmax_limit, km3net_sensitivity
#   rules/models.smk        model_translate    results translated between planes by the models
#                           (src/dmcombine/models: spin-1 mediator, Higgs portal), relic lines
#   rules/combination.smk   combine            sum of -2ΔlnL of independent results (per group),
#                                              joint exclusions of model points (mediator plane)
#                           summary_provenance metadata table of every curve on every plot
#                           hepdata_export     every limit file as a validated HEPData submission
#   rules/summary.smk       summary_plot       one plot per plane with results (si, sigmav, ...)
#
#   inputs (data/ or Rucio) -> experiment jobs -> limit files -> models -> combine -> summary plots,
#                           -> imports (published) ----------------^               provenance table, HEPData -> all
#
# Each experiment lives in one place (src/dmcombine/experiments/<name>/ with workflows/<name>.smk);
# shared rules find experiments, planes and combinations from the registry and the limit files'
# metadata. Every rule calls the dmcombine CLI through shell: with its job card.

from snakemake.utils import min_version

# 7.32.4 is what REANA's Snakemake engine runs; CI dry-runs the DAG under both 7.32.4 and 9.
min_version("7.32.4")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/inputs.smk"
include: "rules/imports.smk"


for experiment in PLAN.experiments:

    include: f"workflows/{experiment}.smk"


include: "rules/models.smk"
include: "rules/combination.smk"
include: "rules/summary.smk"


rule all:
    default_target: True
    input:
        PLAN.final_targets(),
