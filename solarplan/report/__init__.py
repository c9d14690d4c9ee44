"""Outputs for people: the offline map, the briefing and their assets.
"""
