"""Data files: the operations table."""
