"""DarkSide-50 532-day high-mass WIMP search (arXiv:1802.07198), recomputed from its public inputs.

``plan`` (which jobs), ``physics`` (the limit), ``command`` (what a job runs); ``schema.yaml``,
``config.yaml`` and ``inputs.yaml`` beside them. Nothing is imported here, so that the planning
layer can load ``plan`` without the numerical stack.
"""
