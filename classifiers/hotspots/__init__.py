"""Hot issues: reports of the same problem at the same place, grouped as they arrive and
ranked by heat (grouping.py), and the settings (settings.py)."""
