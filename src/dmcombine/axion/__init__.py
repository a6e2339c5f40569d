"""Axion dark matter: haloscope signal and noise, and the QCD axion band."""
