"""Models: the benchmarks that connect the planes, registered like experiments.

A model ``<name>`` (listed in :data:`dmcombine.registry.MODELS`) is the package
``dmcombine.models.<name>``: its physics (the translations between planes, every formula and
constant in the docstrings), ``plan.py`` (which curves of the run it translates, chosen from the
limit files' metadata), ``command.py`` (what its ``model_translate`` job runs), ``schema.yaml`` and
``config.yaml`` (its benchmarks, couplings and cited facts, the ``<name>:`` block of the workflow
configuration). A translated curve is a standard limit file (version 3, method ``translation``)
whose ``translation`` block records the model, benchmark, formula, parameters, constants and the
source (a limit file by path and SHA-256, or a cited number), so every plane, the provenance table,
the HEPData export and the catalogue take it as they take any other file.

Standard library only at this level: the planning layer imports the ``plan`` modules inside
REANA's Snakemake engine.
"""
