"""KM3NeT/ARCA sensitivity to dark-matter annihilation in the Galactic Centre, from the
collaboration's public instrument response functions and CosmiXs neutrino spectra.

``plan`` (which jobs), ``physics`` (response, Feldman–Cousins sensitivity, Asimov profiles),
``command`` (what a job runs); ``schema.yaml``, ``config.yaml``, ``inputs.yaml`` and ``report.rst``
(the caption of its plot) beside them.
"""
