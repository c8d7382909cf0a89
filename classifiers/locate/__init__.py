"""Location: the grid registry (registry.py), geometry on WGS-84 positions (geometry.py),
the locator that finds a report's grid from its words and point (locator.py), and its
settings (settings.py)."""
