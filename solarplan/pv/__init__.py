"""PV side: surface defaults, usable area and capacity, the yield engine, uncertainty, site aggregation,
PV economics and the Dask path. Pure calculation on DataFrames and weather years.
"""
