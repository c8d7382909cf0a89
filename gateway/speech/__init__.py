"""Speech to text for hotline recordings (transcriber.py)."""
