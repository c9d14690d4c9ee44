"""Edges: reading and validating registers and tables, the plan.toml configuration, writing outputs.
"""
