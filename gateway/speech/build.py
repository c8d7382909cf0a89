"""The gateway's Transcriber, with hot words from the data files the settings name."""
from __future__ import annotations

from gateway.speech.hotwords import speech_hotwords
from gateway.speech.transcriber import Transcriber


def build_transcriber(settings) -> Transcriber:
    """A Transcriber for the service settings (gateway.settings.Settings)."""
    s = settings.speech
    hotwords = ""
    if s.hotwords and s.engine == "faster_whisper":  # the only engine that takes a prompt
        hotwords = speech_hotwords(s.hotwords_extra, settings.project_path(settings.location.registry),
                                   settings.project_path(settings.classification.taxonomy),
                                   s.hotwords_max_chars)
    return Transcriber(s, settings.data_dir, hotwords)
