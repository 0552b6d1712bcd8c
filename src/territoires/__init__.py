"""Territoires : la coopération territoriale de l'ESS sur une carte (RTES, 2012)."""

__version__ = "0.1.0"
