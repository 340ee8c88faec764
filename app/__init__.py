"""ptlab — the Process & Thread Lab."""

__version__ = "0.1.0"
