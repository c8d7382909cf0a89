"""Builds the pipeline's stages from the settings (taxonomy, model, grid registry)."""
from __future__ import annotations

from classifiers.classify.combined import CombinedClassifier, build_classifier
from classifiers.dedupe.index import DuplicateIndex, warm_up
from classifiers.locate.locator import GridLocator
from classifiers.locate.registry import load_registry
from gateway.settings import Settings
from gateway.stages.duplicates import IndexedDuplicates
from gateway.stages.protocols import NoDuplicates, PassThroughLocator


def build_classifier_from(settings: Settings) -> CombinedClassifier:
    c = settings.classification
    model = "auto" if c.model == "auto" else (settings.project_path(c.model) if c.model else None)
    return build_classifier(settings.project_path(c.taxonomy), model, c,
                            lexicon_path=settings.project_path(c.lexicon),
                            social_model_path=settings.project_path(c.social_model) if c.social_model else None)


def build_duplicates(settings: Settings) -> IndexedDuplicates | NoDuplicates:
    d = settings.duplicates
    if not d.enabled:
        return NoDuplicates()
    warm_up()
    return IndexedDuplicates(DuplicateIndex(d))


def build_locator(settings: Settings) -> GridLocator | PassThroughLocator:
    loc = settings.location
    if not loc.registry:
        return PassThroughLocator()
    registry = load_registry(settings.project_path(loc.registry))
    return GridLocator(registry, loc)


def build_pure_stages(settings: Settings) -> tuple[CombinedClassifier, GridLocator | PassThroughLocator]:
    """The stages that are pure functions of a report (stage workers run these)."""
    return build_classifier_from(settings), build_locator(settings)


def build_stages(settings: Settings):
    """Load every data file the stages need; a broken one raises with its name."""
    return (*build_pure_stages(settings), build_duplicates(settings))
