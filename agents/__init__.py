"""Organization agents and their behaviour rules (organization- and tie-level)."""
