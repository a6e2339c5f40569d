"""Fermi-LAT dwarf spheroidal galaxies: joint-likelihood limits on ⟨σv⟩ (arXiv:1503.02641,
arXiv:1611.03184) from the public bin-by-bin likelihoods.

``plan`` (which jobs), ``physics`` (the joint likelihood), ``command`` (what a job runs);
``schema.yaml``, ``config.yaml``, ``inputs.yaml`` and ``report.rst`` (the caption of the per-set
plot) beside them.
"""
