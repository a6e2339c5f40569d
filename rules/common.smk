# Helpers shared by every .smk file: config checks, input paths by DID, per-variant config.

import copy
import json
import shlex

import yaml

# The project's analysis image, built from envs/Dockerfile with requirements/main.lock.
# Pinned tag: bump it together with the package version (tests/test_specs.py checks both).
IMAGE = "docker://ghcr.io/dmcombine/dmcombine:0.1.0"
CATALOGUE = config["inputs"]["catalogue"]


def _load_catalogue(path):
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    return {entry["did"]: entry for entry in doc["inputs"]}


CATALOGUE_ENTRIES = _load_catalogue(CATALOGUE)


def check_config():
    """What the JSON Schema cannot say: cross-field rules and references to the catalogue."""
    problems = []
    for name in config["experiments"]:
        section = config[name]
        grid = section["mass_grid_gev"]
        if grid["min"] > grid["max"]:
            problems.append(
                f"{name}.mass_grid_gev: min ({grid['min']}) is larger than max ({grid['max']})"
            )
        for key, did in section.get("inputs", {}).items():
            if did not in CATALOGUE_ENTRIES:
                problems.append(
                    f"{name}.inputs.{key}: DID {did} is not in the inputs catalogue {CATALOGUE}"
                )
    for i, curve in enumerate(config["summary"]["si_context"]):
        if curve["did"] not in CATALOGUE_ENTRIES:
            problems.append(
                f"summary.si_context[{i}].did: DID {curve['did']} is not in {CATALOGUE}"
            )
    if problems:
        raise ValueError("Error in the configuration:\n  " + "\n  ".join(problems))


check_config()


def fetched(did):
    """Where fetch_input materialises an input, by its DID (scope and name)."""
    scope, name = did.split(":", 1)
    return f"resources/inputs/{scope}/{name}"


def shipped_copy(wildcards):
    """The shipped file behind a DID, a declared input of fetch_input in embedded mode."""
    did = f"{wildcards.scope}:{wildcards.name}"
    if did not in CATALOGUE_ENTRIES:
        raise ValueError(f"DID {did} is not in the inputs catalogue {CATALOGUE}")
    if config["inputs"]["source"] == "rucio":
        return []
    return CATALOGUE_ENTRIES[did]["path"]


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


def variant_config(section, variant):
    """The config block of one experiment with the variant's overrides merged into its model."""
    block = {k: v for k, v in config[section].items() if k != "variants"}
    block["model"] = _merge(block["model"], config[section]["variants"][variant])
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
        variant=sorted(config[section]["variants"]),
    )


def final_targets():
    return [
        *limit_files("darkside50"),
        "results/summary/si_summary.pdf",
        "results/summary/si_summary.png",
    ]
