"""MADMAX dielectric haloscope: the prototype's axion limit (arXiv:2409.11777) and the full-scale
projected reach (arXiv:1901.07401), computed from configured numbers only (no input files).

``plan`` (which jobs), ``physics`` (signal power, radiometer noise, likelihood), ``command`` (what a
job runs); ``schema.yaml``, ``config.yaml`` and ``inputs.yaml`` (the published projection the
tests compare with) beside them.
"""
