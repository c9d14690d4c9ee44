"""Orchestration: pipeline steps (read -> compute -> write) and the command line.
"""
