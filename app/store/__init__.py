"""The encrypted store: the only package that writes SQL."""
