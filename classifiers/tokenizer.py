"""jieba tokenizers that share one loaded dictionary.

Each stage keeps a tokenizer of its own (it adds its own words: taxonomy keywords, registry
names, words of city problems), but loading jieba's dictionary takes 1.5–2 s and half a million
objects; three stages loading it each made a gateway start 5 s slower, in every stage worker
too. Here the dictionary is loaded once per process and each tokenizer starts from a copy
(~20 ms)."""
from __future__ import annotations

import logging
import threading

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def private_tokenizer() -> jieba.Tokenizer:
    """A ready tokenizer with jieba's default dictionary; words added to it stay its own."""
    global _base
    with _lock:
        if _base is None:
            _base = jieba.Tokenizer()
            _base.initialize()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = dict(_base.FREQ), _base.total
        tokenizer.initialized = True
    return tokenizer
