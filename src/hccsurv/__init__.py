"""hccsurv: treatment-outcome studies in liver cancer, with R ``survival`` parity."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
