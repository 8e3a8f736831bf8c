"""vawgscope: VAWG problem profiles from police records."""

__version__ = "0.1.0"
