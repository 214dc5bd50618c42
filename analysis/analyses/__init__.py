"""Analyses: the answers the notebooks and commands present, as typed dataclasses."""
