"""Engines that compute the per-time aggregates where the data live (DuckDB, several sites)."""
