"""Retrofit measures (heat pumps, lighting, chillers, lifts) and contract economics.

See retrofit/README.md for the module map and docs/retrofit.md for the methods.
"""
