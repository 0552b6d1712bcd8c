"""Input/output helpers kept apart from the domain code (atomic writes, downloads)."""
