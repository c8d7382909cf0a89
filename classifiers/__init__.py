"""The stages a report goes through, each pure (no I/O) and loaded once:

    classify/  the category: taxonomy, keyword rules, learned model, the combiner
    locate/    the place: registry (grids, roads, compounds, landmarks), geometry, locator
    dedupe/    the open-case index and the duplicate scorer

normalize.py is the text normalisation they share; data/ holds the default taxonomy and the
demonstration grid registry. Results are gateway.models value types.
"""
