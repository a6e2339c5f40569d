"""Shared physics of indirect searches: annihilation spectra at production, J-factors."""
