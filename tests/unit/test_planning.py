"""The planning layer: strict readers, names that become paths, the plan of a configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from dmcombine.errors import ConfigError
from dmcombine.planning import strict
from dmcombine.planning.context import number_label
from dmcombine.planning.paths import is_safe_component, public_path, staged
from dmcombine.planning.workflow import PlanError, load_plan
from dmcombine.registry import EXPERIMENTS

from ..conftest import REPO, default_plan


def plan_of(override: dict, tmp_path: Path | None = None) -> object:
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    for key, value in override.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) and isinstance(config.get(key), dict) else value
    return load_plan(config, [], root=str(REPO), write_cards=False)


def test_duplicate_keys_aliases_nesting_and_nan_are_refused() -> None:
    for text, message in (("a: 1\na: 2\n", "'a' appears twice"), ("x: .nan\n", "not a finite number"),
                          ("[" * 70 + "]" * 70, "nested deeper"),
                          # 10^5 levels: refused at level 65, not a RecursionError or a crash
                          ("- " * 100_000 + "x\n", "nested deeper"), ("[" * 100_000, "nested deeper"),
                          ("".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v\n", "nested deeper"),
                          ("a: &a [1]\n" + "".join(f"b{i}: *a\n" for i in range(60)), "aliases are limited")):
        with pytest.raises(strict.StrictFormatError, match=message):
            strict.loads_yaml(text, "t.yaml")
    for text, message in (('{"a": 1, "a": 2}', "appears twice"), ("[1e999]", "not a finite number"), ("[NaN]", "NaN")):
        with pytest.raises(strict.StrictFormatError, match=message):
            strict.loads_json(text, "t.json")


def test_the_libyaml_strict_loader_reads_what_the_pure_one_reads() -> None:
    """Every job reads its card with the LibYAML-backed strict loader: on every YAML file the project
    ships and every card of the default plan it gives the pure-Python loader's document, type for
    type, and it refuses what that one refuses."""
    assert strict._FastStrictLoader is not strict._StrictLoader, "PyYAML without LibYAML in the locked environment"
    plan = default_plan()
    texts = [path.read_text("utf-8") for folder in ("src", "config", "profiles", "data")
             for path in sorted((REPO / folder).rglob("*.y*ml"))]
    texts += [plan.card_file(job)[1] for job in plan.jobs]
    assert len(texts) > 60
    for text in texts:
        assert repr(yaml.load(text, Loader=strict._FastStrictLoader)) == repr(yaml.load(text, Loader=strict._StrictLoader))
    for text in ("a: 1\na: 2\n", "[" * 70 + "]" * 70, "a: &a [1]\n" + "".join(f"b{i}: *a\n" for i in range(60)),
                 "a: !!python/object:os.system x\n", "a: [1\n", "a: \x01\n", "? [1]\n: 2\n"):
        for loader in (strict._StrictLoader, strict._FastStrictLoader):
            with pytest.raises(yaml.YAMLError):
                yaml.load(text, Loader=loader)


def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(strict.StrictFormatError, match="not a regular file"):
        strict.read_bytes(fifo, "input", 100)
    with pytest.raises(strict.StrictFormatError, match="is a directory"):
        strict.read_bytes(tmp_path, "input", 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(strict.StrictFormatError, match="101 bytes"):
        strict.read_bytes(big, "input", 100)


def test_numbers_never_share_an_output_name() -> None:
    assert number_label(10000.01) != number_label(10000.02)
    assert [number_label(v) for v in (1, 10, 200.0, 0.5)] == ["1", "10", "200", "0.5"]
    plan = plan_of({"xlzd": {"exposures_t_yr": [10000.01, 10000.02]}})
    paths = sorted(o.path for job in plan.jobs if job.rule == "xlzd_sensitivity" and job.wildcards["variant"] == "design_book"
                   for o in job.outputs.values())
    assert len(paths) == 4 and "results/xlzd/design_book/10000.01tyr/projected.json" in paths


def test_names_that_become_paths() -> None:
    assert all(is_safe_component(v) for v in ("halo_2021", "1000", "10000.01", "V2"))
    assert not any(is_safe_component(v) for v in ("..", ".x", "a/b", "x y", "$(touch)", "-rf", ""))
    assert public_path(staged("results/a.json")) == "results/a.json" and public_path("results/a.json") is None


def test_a_shared_variant_is_one_set_of_numbers_in_every_experiment() -> None:
    plan = default_plan()
    halos = {job.experiment: job.config["model"]["halo"] for job in plan.jobs
             if job.wildcards.get("variant") == "halo_2021"}
    assert set(halos) == {"darkside50", "xlzd"} and halos["darkside50"] == halos["xlzd"]


def test_every_problem_is_reported_at_once_naming_its_key() -> None:
    with pytest.raises(PlanError) as error:
        plan_of({"darkside50": {"mass_grid_gev": {"min": 100, "max": 10, "points": 5}},
                 "madmax": {"run_setups": ["protoype"]}})
    text = str(error.value)
    assert "darkside50.mass_grid_gev: min (100) is larger than max (10)" in text and "madmax.run_setups" in text


def test_the_experiments_switch_needs_no_blocks() -> None:
    for name in EXPERIMENTS:
        plan = plan_of({"experiments": [n for n in EXPERIMENTS if n != name]})
        assert name not in plan.experiments and not [j for j in plan.jobs if j.experiment == name]


def test_a_block_of_an_experiment_left_out_is_ignored_with_a_note() -> None:
    plan = plan_of({"experiments": ["darkside50"], "km3net": {"channels": ["nonsense"]}})
    assert plan.experiments == ["darkside50"] and any("km3net is not in experiments" in n for n in plan.notes)


def test_cards_hold_what_the_computation_reads_and_their_names_carry_a_digest() -> None:
    plan = default_plan()
    job = plan.job("km3net_sensitivity", {"channel": "tautau"})
    assert "channels" not in job.config and "combine_livetime_yr" not in job.config and "inputs" not in job.config
    path, text = plan.card_file(job)
    assert path.startswith(".dmcombine/cards/km3net_sensitivity/tautau.") and plan.card_file(job) == (path, text)
    # the default detector's IRFs (ARCA230: four files per selection) and the spectra, nothing else
    assert set(plan.card(job)["inputs"]) == {f"arca230_{part}_{sel}" for part in ("aeff", "psf", "eresp", "bkg")
                                             for sel in ("track", "shower")} | {"spectra_nue", "spectra_numu", "spectra_nutau"}


def test_catalogue_errors_name_the_file() -> None:
    from dmcombine.catalogue import entries_of

    entry = {"did": "dmcombine:x.txt", "path": "../x.txt", "bytes": 1, "adler32": "0" * 8, "md5": "0" * 32,
             "origin": "o", "paper": "p", "licence": "l"}
    with pytest.raises(ConfigError, match="mine.yaml.*inside the repository"):
        entries_of({"inputs": [entry]}, "mine.yaml")
    with pytest.raises(ConfigError, match="'..:evil.json' is not a Rucio DID"):
        entries_of({"inputs": [{**entry, "did": "..:evil.json", "path": "x.txt"}]}, "mine.yaml")


def test_cards_are_written_the_same_with_libyaml_as_with_pure_python() -> None:
    """Cards are written with LibYAML's emitter where PyYAML has it; on every card of the default
    plan it gives the same text as PyYAML's pure-Python SafeDumper (the card's name is its digest)."""
    from dmcombine.planning import strict

    assert yaml.__with_libyaml__  # the locked PyYAML wheel has LibYAML: this compares two emitters
    plan = default_plan()
    options = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 100}
    for job in plan.jobs:
        card = plan.card(job)
        assert strict.dumps_yaml(card, **options) == yaml.dump(card, Dumper=yaml.SafeDumper, **options), job.key


def test_integers_beyond_the_float_range_are_refused() -> None:
    for text in ("[0, 1, " + "1" * 400 + "]", '{"a": -' + "9" * 400 + "}"):
        with pytest.raises(strict.StrictFormatError, match="integer beyond the float range"):
            strict.loads_json(text, "t.json")
    with pytest.raises(strict.StrictFormatError, match="field /a is not a finite number"):
        strict.loads_yaml("a: " + "1" * 400 + "\n", "t.yaml")
