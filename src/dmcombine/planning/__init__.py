"""The planning layer: from the workflow configuration to the jobs of the DAG and their cards.

The Snakefile loads it at parse time (``rules/common.smk``); it needs only the standard library,
PyYAML and jsonschema, and is written for Python 3.8 and jsonschema 3.2 as well, because REANA's
Snakemake engine (Snakemake 7.32.4) parses the workflow with those. ``reana.yaml`` uploads it
with the workflow (the ``src`` folder).

* :mod:`~dmcombine.planning.workflow` builds the :class:`~dmcombine.planning.workflow.Plan`:
  validates the configuration (shared schema plus each experiment's fragment, defaults from each
  experiment's ``config.yaml``), reads the inputs catalogue, asks every enabled experiment's
  ``plan.jobs`` for its jobs, adds the shared ones (:mod:`~dmcombine.planning.shared`) and writes
  the job cards.
* :mod:`~dmcombine.planning.model`, :mod:`~dmcombine.planning.context`: what plans are made of.
* :mod:`~dmcombine.planning.strict`, :mod:`~dmcombine.planning.schema`: strict readers and
  validation; :mod:`~dmcombine.planning.paths`: where things live.
"""
