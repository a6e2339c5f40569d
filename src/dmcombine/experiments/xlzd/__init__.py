"""XLZD projected spin-independent sensitivity and 3σ discovery reach (design book,
arXiv:2410.17137), with CEvNS and neutrino-electron backgrounds computed from neutrino fluxes.

``plan`` (which jobs), ``physics`` (signal, backgrounds, Asimov likelihood), ``command`` (what a job
runs); ``schema.yaml``, ``config.yaml`` and ``inputs.yaml`` beside them.
"""
