"""Foundations: errors, quantities, factors, finance, geometry, coordinate datums, load shapes, shipped-data paths.

Pure calculation (no files except shipped data, no network, no printing); imports nothing else from solarplan.
"""
