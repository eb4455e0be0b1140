"""Builders that turn analysis results into publication tables (present.table.Table)."""
