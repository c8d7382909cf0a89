"""Builds the pipeline's stages from the settings (taxonomy, model, grid registry)."""
from __future__ import annotations

from gateway.models import Classification
from gateway.settings import Settings
from gateway.stages import NoDuplicates, PassThroughLocator


class Unclassified:
    def classify(self, text: str) -> Classification:
        return Classification(needs_review=True, review_reasons=["未能自动分类"])


def build_stages(settings: Settings):
    return Unclassified(), PassThroughLocator(), NoDuplicates()
