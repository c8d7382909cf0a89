"""Classification: the taxonomy (taxonomy.py, data in classifiers/data/taxonomy.toml), the
keyword rules (keywords.py), the learned model (model.py), the combiner that decides and
explains (combined.py), their settings (settings.py) and the train/eval commands (cli.py)."""
