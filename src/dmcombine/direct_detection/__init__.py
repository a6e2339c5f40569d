"""Shared physics of direct-detection experiments: halo model, nuclear response, recoil rates.

Every direct-detection experiment (DarkSide-50, XLZD, ...) imports these; none re-derives them.
"""
