"""The ATLAS 139 fb⁻¹ dilepton resonance search (arXiv:1903.06248) reinterpreted for the LHC DM
WG spin-1 mediator benchmarks: excluded (M_med, m_χ) region, its σ_SI/σ_SD translation, a ROOT file.

``plan`` (which jobs), ``physics`` (widths, fiducial cross-sections, the scan), ``command`` (what a
job runs); ``schema.yaml``, ``config.yaml`` and ``inputs.yaml`` beside them.
"""
