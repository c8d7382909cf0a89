"""Duplicates: the in-memory index of open cases and the scorer that says whether a report
repeats one (index.py), and its settings (settings.py)."""
