"""Command groups of the intentctl CLI, one module each."""
