# Helpers shared by every .smk file: config checks, input paths by DID, per-variant config.

import copy
import json
import shlex

import yaml
from snakemake.logging import logger

# The project's analysis image, built from envs/Dockerfile with requirements/main.lock.
# Pinned tag: bump it together with the package version (tests/test_specs.py checks both).
IMAGE = "docker://ghcr.io/dmcombine/dmcombine:0.1.0"
CATALOGUE = config["inputs"]["catalogue"]


def _load_catalogue(path):
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    return {entry["did"]: entry for entry in doc["inputs"]}


CATALOGUE_ENTRIES = _load_catalogue(CATALOGUE)


def _check_darkside50(section, problems):
    for key, did in section["inputs"].items():
        if did not in CATALOGUE_ENTRIES:
            problems.append(
                f"darkside50.inputs.{key}: DID {did} is not in the inputs catalogue {CATALOGUE}"
            )


def _check_fermi_dwarfs(section, problems):
    known = sorted(
        did.split("like_", 1)[1].rsplit(".", 1)[0]
        for did in CATALOGUE_ENTRIES
        if did.startswith("dmcombine:fermi_dwarfs.like_")
    )
    if section["inputs"]["spectra"] not in CATALOGUE_ENTRIES:
        problems.append(
            f"fermi_dwarfs.inputs.spectra: DID {section['inputs']['spectra']} is not in {CATALOGUE}"
        )
    for name, table in section["jfactor_tables"].items():
        if table["did"] not in CATALOGUE_ENTRIES:
            problems.append(
                f"fermi_dwarfs.jfactor_tables.{name}.did: DID {table['did']} is not in {CATALOGUE}"
            )
        if table["format"] == "dmsky" and "key" not in table:
            problems.append(
                f"fermi_dwarfs.jfactor_tables.{name}: format dmsky needs a key"
            )
    for name in fermi_sets():
        if name not in section["dwarf_sets"]:
            problems.append(
                f"fermi_dwarfs.run_sets: {name!r} is not defined in fermi_dwarfs.dwarf_sets "
                f"(defined: {', '.join(sorted(section['dwarf_sets']))})"
            )
    for name, dwarf_set in section["dwarf_sets"].items():
        for table in dwarf_set["jfactors"]:
            if table not in section["jfactor_tables"]:
                problems.append(
                    f"fermi_dwarfs.dwarf_sets.{name}.jfactors: unknown J-factor table {table!r}"
                )
        for dwarf in dwarf_set["dwarfs"]:
            if fermi_likelihood_did(dwarf) not in CATALOGUE_ENTRIES:
                problems.append(
                    f"fermi_dwarfs.dwarf_sets.{name}.dwarfs: unknown dwarf {dwarf!r} "
                    f"(no likelihood {fermi_likelihood_did(dwarf)}); known: {', '.join(known)}"
                )


def _check_dd_variants(name, problems):
    shared = set(config["dd_variants"]) & set(config[name]["variants"])
    for variant in sorted(shared):
        problems.append(
            f"{name}.variants.{variant}: also defined in dd_variants; give one of them another name"
        )


def _check_xlzd(section, problems):
    for key, spec in section["neutrinos"].items():
        if spec["did"] not in CATALOGUE_ENTRIES:
            problems.append(
                f"xlzd.neutrinos.{key}.did: DID {spec['did']} is not in the inputs catalogue {CATALOGUE}"
            )
    for block, key in (("efficiency", "window_kevnr"), ("er", "window_kevee")):
        lo, hi = section[block][key]
        if lo >= hi:
            problems.append(
                f"xlzd.{block}.{key}: [{lo}, {hi}] is empty; expected lower < upper"
            )


def _check_madmax(section, problems):
    for name in section.get("run_setups", []):
        if name not in section["setups"]:
            problems.append(
                f"madmax.run_setups: {name!r} is not defined in madmax.setups "
                f"(defined: {', '.join(sorted(section['setups']))})"
            )
    for name, setup in section["setups"].items():
        for i, rng in enumerate(setup["ranges"]):
            if rng["min_uev"] >= rng["max_uev"]:
                problems.append(
                    f"madmax.setups.{name}.ranges[{i}]: min_uev ({rng['min_uev']}) must be "
                    f"below max_uev ({rng['max_uev']})"
                )


def _check_km3net(section, problems):
    for key, did in section["inputs"].items():
        if did not in CATALOGUE_ENTRIES:
            problems.append(
                f"km3net.inputs.{key}: DID {did} is not in the inputs catalogue {CATALOGUE}"
            )
    window = section["window"]
    if window["e_reco_min_gev"] >= window["e_reco_max_gev"]:
        problems.append(
            f"km3net.window: e_reco_min_gev ({window['e_reco_min_gev']}) must be below "
            f"e_reco_max_gev ({window['e_reco_max_gev']})"
        )
    if section["halo"]["profile"] not in section["halo"]["profiles"]:
        problems.append(
            f"km3net.halo.profile: {section['halo']['profile']!r} has no parameters in km3net.halo.profiles"
        )
    combined = section.get("combine_livetime_yr")
    if combined is not None and combined not in section["livetimes_yr"]:
        problems.append(
            f"km3net.combine_livetime_yr: {combined} is not one of livetimes_yr {section['livetimes_yr']}"
        )


def check_config():
    """What the JSON Schema cannot say: cross-field rules and references to the catalogue."""
    problems = []
    for name in config["experiments"]:
        if "mass_grid_gev" not in config[name]:
            continue
        grid = config[name]["mass_grid_gev"]
        if grid["min"] > grid["max"]:
            problems.append(
                f"{name}.mass_grid_gev: min ({grid['min']}) is larger than max ({grid['max']})"
            )
    if "darkside50" in config["experiments"]:
        _check_darkside50(config["darkside50"], problems)
    if "fermi_dwarfs" in config["experiments"]:
        _check_fermi_dwarfs(config["fermi_dwarfs"], problems)
    if "madmax" in config["experiments"]:
        _check_madmax(config["madmax"], problems)
    if "xlzd" in config["experiments"]:
        _check_xlzd(config["xlzd"], problems)
    if "km3net" in config["experiments"]:
        _check_km3net(config["km3net"], problems)
    for name in ("darkside50", "xlzd"):
        if name in config["experiments"]:
            _check_dd_variants(name, problems)
    if "atlas_dilepton" in config["experiments"]:
        for key, did in config["atlas_dilepton"]["inputs"].items():
            if did not in CATALOGUE_ENTRIES:
                problems.append(
                    f"atlas_dilepton.inputs.{key}: DID {did} is not in the inputs catalogue {CATALOGUE}"
                )
    for i, curve in enumerate(config["summary"]["si_context"]):
        if curve["did"] not in CATALOGUE_ENTRIES:
            problems.append(
                f"summary.si_context[{i}].did: DID {curve['did']} is not in {CATALOGUE}"
            )
    if problems:
        raise ValueError("Error in the configuration:\n  " + "\n  ".join(problems))


# --- Fermi-LAT dwarfs -----------------------------------------------------------------


def fermi_sets():
    """The dwarf sets to run (all defined sets unless run_sets names some)."""
    section = config.get("fermi_dwarfs", {})
    return section.get("run_sets") or sorted(section.get("dwarf_sets", {}))


def fermi_likelihood_did(dwarf):
    return config["fermi_dwarfs"]["inputs"]["likelihood"].replace("{dwarf}", dwarf)


def fermi_inputs(wildcards):
    """Every file one (dwarf set, channel) job reads: spectra, its J tables, its likelihoods."""
    section = config["fermi_dwarfs"]
    dwarf_set = section["dwarf_sets"][wildcards.dwarf_set]
    dids = [section["inputs"]["spectra"]]
    dids += [section["jfactor_tables"][t]["did"] for t in dwarf_set["jfactors"]]
    dids += [fermi_likelihood_did(d) for d in dwarf_set["dwarfs"]]
    return [fetched(did) for did in dids]


def fermi_config_arg(wildcards):
    """The resolved config of one (dwarf set, channel) job as one shell-quoted JSON argument."""
    section = config["fermi_dwarfs"]
    dwarf_set = section["dwarf_sets"][wildcards.dwarf_set]
    skip = ("dwarf_sets", "run_sets", "jfactor_tables", "channels")
    resolved = {k: v for k, v in section.items() if k not in skip}
    resolved["dwarf_set"] = wildcards.dwarf_set
    resolved["dwarf_sets"] = {wildcards.dwarf_set: dwarf_set}
    resolved["jfactor_tables"] = {
        t: section["jfactor_tables"][t] for t in dwarf_set["jfactors"]
    }
    resolved["channel"] = wildcards.channel
    return shlex.quote(json.dumps(resolved, sort_keys=True, separators=(",", ":")))


def fermi_limit_files(dwarf_set=None):
    if "fermi_dwarfs" not in config["experiments"]:
        return []
    return expand(
        "results/fermi_dwarfs/{dwarf_set}/{channel}/limit.json",
        dwarf_set=[dwarf_set] if dwarf_set else fermi_sets(),
        channel=config["fermi_dwarfs"]["channels"],
    )


# --- ATLAS dilepton ---------------------------------------------------------------------

ATLAS_OUTPUTS = ("mediator_observed", "mediator_expected", "dd_observed")


def atlas_input_keys():
    ch = config["atlas_dilepton"]["channel"]
    short = "ee" if ch == "ee" else "mm"
    return [f"{ch}_observed", f"{ch}_expected", "t_mll", f"t_{short}_u", f"t_{short}_d"]


def atlas_inputs(wildcards):
    dids = config["atlas_dilepton"]["inputs"]
    return [fetched(dids[key]) for key in atlas_input_keys()]


def atlas_config_arg(wildcards):
    section = config["atlas_dilepton"]
    resolved = {k: v for k, v in section.items() if k != "benchmarks"}
    resolved["name"] = wildcards.benchmark
    resolved["benchmark"] = section["benchmarks"][wildcards.benchmark]
    return shlex.quote(json.dumps(resolved, sort_keys=True, separators=(",", ":")))


def atlas_files(stem=None):
    if "atlas_dilepton" not in config["experiments"]:
        return []
    return expand(
        "results/atlas_dilepton/{benchmark}/{stem}.json",
        benchmark=sorted(config["atlas_dilepton"]["benchmarks"]),
        stem=[stem] if stem else ATLAS_OUTPUTS,
    )


def atlas_si_files():
    """The translated limits of the vector benchmarks (sigma_SI), drawn with direct detection."""
    if "atlas_dilepton" not in config["experiments"]:
        return []
    section = config["atlas_dilepton"]["benchmarks"]
    return [
        f"results/atlas_dilepton/{name}/dd_observed.json"
        for name in sorted(section)
        if section[name]["kind"] == "vector"
    ]


# --- MADMAX ---------------------------------------------------------------------------


def madmax_setups():
    section = config.get("madmax", {})
    return section.get("run_setups") or sorted(section.get("setups", {}))


def madmax_config_arg(wildcards):
    """The resolved config of one MADMAX setup as one shell-quoted JSON argument."""
    section = config["madmax"]
    resolved = dict(section["setups"][wildcards.setup])
    resolved["name"] = wildcards.setup
    resolved["confidence_level"] = section["confidence_level"]
    return shlex.quote(json.dumps(resolved, sort_keys=True, separators=(",", ":")))


def madmax_limit_files():
    if "madmax" not in config["experiments"]:
        return []
    return expand("results/madmax/{setup}/limit.json", setup=madmax_setups())


check_config()


# --- KM3NeT ---------------------------------------------------------------------------


def km3net_inputs(wildcards):
    return [fetched(did) for _, did in sorted(config["km3net"]["inputs"].items())]


def km3net_years():
    """Livetime labels of the output files, e.g. 1yr, 5yr, 10yr."""
    return [f"{years:g}" for years in config["km3net"]["livetimes_yr"]]


def km3net_config_arg(wildcards):
    section = config["km3net"]
    return shlex.quote(
        json.dumps({**section, "channel": wildcards.channel}, sort_keys=True)
    )


def km3net_limit_files(channel=None, years=None):
    if "km3net" not in config["experiments"]:
        return []
    return expand(
        "results/km3net/{channel}/{years}yr.json",
        channel=[channel] if channel else config["km3net"]["channels"],
        years=[years] if years else km3net_years(),
    )


def km3net_combined_files():
    """The KM3NeT files (one livetime) combined with Fermi-LAT and drawn on the <sigma v> plane."""
    if "km3net" not in config["experiments"]:
        return []
    section = config["km3net"]
    years = section.get("combine_livetime_yr", max(section["livetimes_yr"]))
    return km3net_limit_files(years=f"{years:g}")


def fetched(did):
    """Where fetch_inputs materialises an input, by its DID (scope and name)."""
    scope, name = did.split(":", 1)
    return f"resources/inputs/{scope}/{name}"


def needed_dids():
    """Every input DID the enabled experiments and the summaries read, sorted."""
    dids = {curve["did"] for curve in config["summary"]["si_context"]}
    if "darkside50" in config["experiments"]:
        dids.update(config["darkside50"]["inputs"].values())
    if "xlzd" in config["experiments"]:
        dids.update(spec["did"] for spec in config["xlzd"]["neutrinos"].values())
    if "atlas_dilepton" in config["experiments"]:
        dids.update(config["atlas_dilepton"]["inputs"][k] for k in atlas_input_keys())
    if "km3net" in config["experiments"]:
        dids.update(config["km3net"]["inputs"].values())
    if "fermi_dwarfs" in config["experiments"]:
        section = config["fermi_dwarfs"]
        dids.add(section["inputs"]["spectra"])
        for name in fermi_sets():
            dwarf_set = section["dwarf_sets"][name]
            dids.update(
                section["jfactor_tables"][t]["did"] for t in dwarf_set["jfactors"]
            )
            dids.update(fermi_likelihood_did(d) for d in dwarf_set["dwarfs"])
    return sorted(dids)


def shipped_copies():
    """The shipped files behind the needed DIDs: declared inputs of fetch_inputs in embedded
    mode (so a modified data file reruns the fetch, which then refuses it); none in Rucio mode.
    """
    if config["inputs"]["source"] == "rucio":
        return []
    return [CATALOGUE_ENTRIES[did]["path"] for did in needed_dids()]


def publish_target(key):
    """A params function for publish_results: the configured RSE or dataset, or a clear error."""

    def value(wildcards):
        if key not in config["publish"]:
            raise ValueError(
                f"publish_results needs publish.{key} in the config "
                "(e.g. --config 'publish={rse: MY_RSE, dataset: \"scope:name\"}')"
            )
        return config["publish"][key]

    return value


def published_files():
    """What publish_results uploads: every final target (limit files and plots)."""
    return final_targets()


def context_args(curves):
    """--context LABEL=DID=PATH options (shell-quoted) for published curves on a summary plot."""
    options = []
    for curve in curves:
        spec = "=".join((curve["label"], curve["did"], fetched(curve["did"])))
        options.append(f"--context {shlex.quote(spec)}")
    return " ".join(options)


def _merge(base, override):
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def dd_variants(section):
    """A direct-detection experiment's variants: its own and the shared dd_variants."""
    return sorted(set(config[section]["variants"]) | set(config["dd_variants"]))


def variant_config(section, variant):
    """The config block of one experiment with the variant's overrides merged into its model."""
    block = {k: v for k, v in config[section].items() if k != "variants"}
    override = config[section]["variants"].get(variant)
    if override is None:
        override = config["dd_variants"][variant]
    block["model"] = _merge(block["model"], override)
    block["variant"] = variant
    return block


def config_arg(section):
    """A params function: the variant's resolved config as one shell-quoted JSON argument."""

    def arg(wildcards):
        resolved = variant_config(section, wildcards.variant)
        return shlex.quote(json.dumps(resolved, sort_keys=True, separators=(",", ":")))

    return arg


def limit_files(section):
    """The limit files of one experiment, one per configured variant."""
    if section not in config["experiments"]:
        return []
    return expand(
        "results/{section}/{variant}/limit.json",
        section=section,
        variant=dd_variants(section),
    )


# --- XLZD -------------------------------------------------------------------------------


def xlzd_exposure_labels():
    return [f"{e:g}" for e in config["xlzd"]["exposures_t_yr"]]


def xlzd_inputs(wildcards):
    return [
        fetched(spec["did"]) for _, spec in sorted(config["xlzd"]["neutrinos"].items())
    ]


def xlzd_config_arg(wildcards):
    """The resolved config of one (variant, exposure) job as one shell-quoted JSON argument."""
    resolved = variant_config("xlzd", wildcards.variant)
    exposures = {f"{e:g}": e for e in config["xlzd"]["exposures_t_yr"]}
    resolved["exposure_t_yr"] = exposures[wildcards.exposure]
    del resolved["exposures_t_yr"]
    return shlex.quote(json.dumps(resolved, sort_keys=True, separators=(",", ":")))


def xlzd_files(kind, shared_variants=True):
    """XLZD limit files of one kind (projected or discovery), per variant and exposure; without
    shared_variants, only XLZD's own variants (the baseline drawn on the summary plot).
    """
    if "xlzd" not in config["experiments"]:
        return []
    return expand(
        "results/xlzd/{variant}/{exposure}tyr/{kind}.json",
        variant=(
            dd_variants("xlzd")
            if shared_variants
            else sorted(config["xlzd"]["variants"])
        ),
        exposure=xlzd_exposure_labels(),
        kind=[kind],
    )


# --- combination and summaries ----------------------------------------------------------

# Which planes have results, by experiment; a plane with none is skipped with a log line.
PLANE_EXPERIMENTS = {
    "si": ["darkside50", "xlzd"],
    "sd": [],
    "sigmav": ["fermi_dwarfs", "km3net"],
    "mediator": ["atlas_dilepton"],
    "axion": ["madmax"],
}


def planes_with_results():
    planes = []
    for plane, experiments in PLANE_EXPERIMENTS.items():
        if any(e in config["experiments"] for e in experiments):
            planes.append(plane)
        else:
            logger.info(f"summary: plane '{plane}' has no results yet, skipped")
    return planes


def fermi_reference_files():
    """The Fermi-LAT limit files that stand for Fermi-LAT in the summaries and combinations."""
    if "fermi_dwarfs" not in config["experiments"]:
        return []
    return fermi_limit_files(config["combination"]["fermi_dwarf_set"])


def combination_groups():
    """name -> limit files. Automatic groups need two independent results on the same channel
    (Fermi-LAT dwarfs with the KM3NeT projection); config combination.groups adds any others.
    """
    groups = {}
    by_channel = {}
    for path in fermi_reference_files():
        by_channel.setdefault(path.split("/")[-2], []).append(path)
    for path in km3net_combined_files():
        by_channel.setdefault(path.split("/")[-2], []).append(path)
    for channel, files in by_channel.items():
        if len(files) >= 2:
            groups[f"sigmav_{channel}"] = files
    groups.update(config["combination"]["groups"])
    return groups


def sigmav_plane_files():
    references = fermi_reference_files() + km3net_combined_files()
    combos = [
        f"results/combination/{name}/limit.json"
        for name, files in combination_groups().items()
        if any(f in references for f in files)
    ]
    return references + combos


def si_plot_files():
    """The SI summary plot: every DarkSide-50 variant, XLZD's own variants (all in HEPData)."""
    own = xlzd_files("projected", False) + xlzd_files("discovery", False)
    return limit_files("darkside50") + own + atlas_si_files()


def si_limit_files():
    return limit_files("darkside50") + xlzd_files("projected") + xlzd_files("discovery")


def plotted_limit_files():
    mediator = atlas_files("mediator_observed") + atlas_files("mediator_expected")
    return si_plot_files() + sigmav_plane_files() + madmax_limit_files() + mediator


def all_limit_files():
    combos = [f"results/combination/{name}/limit.json" for name in combination_groups()]
    return (
        si_limit_files()
        + fermi_limit_files()
        + madmax_limit_files()
        + atlas_files()
        + km3net_limit_files()
        + combos
    )


def provenance_context_args():
    options = []
    for curve in config["summary"]["si_context"]:
        spec = "si:" + "=".join((curve["label"], curve["did"], fetched(curve["did"])))
        options.append(f"--context {shlex.quote(spec)}")
    return " ".join(options)


def final_targets():
    planes = planes_with_results()
    targets = [*all_limit_files(), "results/hepdata/submission.tar.gz"]
    targets += ["results/summary/provenance.csv", "results/summary/provenance.md"]
    if "si" in planes:
        targets += ["results/summary/si_summary.pdf", "results/summary/si_summary.png"]
    if "sigmav" in planes:
        targets += [
            "results/summary/sigmav_summary.pdf",
            "results/summary/sigmav_summary.png",
        ]
        targets += expand(
            "results/fermi_dwarfs/{dwarf_set}/sigmav_limits.{ext}",
            dwarf_set=fermi_sets(),
            ext=["pdf", "png"],
        )
    if "km3net" in config["experiments"]:
        targets += [
            "results/km3net/sigmav_sensitivity.pdf",
            "results/km3net/sigmav_sensitivity.png",
        ]
    if "mediator" in planes:
        targets += [
            "results/summary/mediator_summary.pdf",
            "results/summary/mediator_summary.png",
        ]
        targets += expand(
            "results/atlas_dilepton/{benchmark}/limits.root",
            benchmark=sorted(config["atlas_dilepton"]["benchmarks"]),
        )
    if "axion" in planes:
        targets += [
            "results/summary/axion_summary.pdf",
            "results/summary/axion_summary.png",
        ]
    return targets
