"""Builders that turn analysis results into publication :class:`~hccsurv.present.table.Table` objects."""
