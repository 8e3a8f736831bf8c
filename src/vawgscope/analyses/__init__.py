"""Analyses: one module per family; each analysis is a function Dataset -> Finding."""
