"""The lexicon administrators edit: the bundled one covers every city leaf, and a broken
file is refused with a message naming the file, the entry and the key."""
from __future__ import annotations

import pytest

from classifiers.classify.keywords import KeywordClassifier
from classifiers.classify.lexicon import LexiconError, load_lexicon
from classifiers.classify.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_the_bundled_lexicon_covers_every_component_and_matter(taxonomy):
    lexicon = load_lexicon(None, taxonomy)
    city = [n.code for n in taxonomy.leaves if n.top_code in ("BJ", "SJ")]
    assert sorted(lexicon) == sorted(city)
    assert all(entry.objects and entry.phrases for entry in lexicon.values())


def test_everyday_words_from_the_lexicon_reach_the_rules(taxonomy):
    with_lexicon = KeywordClassifier(taxonomy, lexicon=load_lexicon(None, taxonomy))
    assert with_lexicon.classify("小区里的马葫芦盖子没了").code.startswith("BJ-010")


BROKEN = [
    ('[[entry]]\ncode = "BJ-99999"\nobjects = ["x"]\n', r"entry BJ-99999: 'BJ-99999' is not a leaf code"),
    ('[[entry]]\ncode = "BJ-01"\nobjects = ["x"]\n', r"entry BJ-01: 'BJ-01' is not a leaf code"),
    ('[[entry]]\ncode = "BJ-01037"\nname = "井盖"\n', r"entry BJ-01037: name '井盖' is not the taxonomy's name"),
    ('[[entry]]\ncode = "BJ-01037"\nobject = ["路灯"]\n', r"entry BJ-01037: unknown key\(s\) \['object'\]"),
    ('[[entry]]\ncode = "BJ-01037"\nobjects = "路灯"\n', r"entry BJ-01037: 'objects' must be a list of strings"),
    ('[[entry]]\ncode = "BJ-01037"\nphrases = ["路灯不亮", " "]\n', r"entry BJ-01037: 'phrases' contains an empty string"),
    ('[[entry]]\ncode = "BJ-01037"\n[[entry]]\ncode = "BJ-01037"\n', r"entry BJ-01037: the leaf has two entries"),
    ('[[entry]]\nobjects = ["路灯"]\n', r"entry #1: missing 'code'"),
    ('[entries]\n', r"unknown top-level key\(s\) \['entries'\]"),
    ('[[entry]]\ncode = "BJ-01037"\nfaults = ["' + "坏" * 50 + '"]\n', r"'faults' has .* longer than 40"),
    ('not toml = = =\n', r"not valid TOML"),
]


@pytest.mark.parametrize("text, message", BROKEN)
def test_a_broken_lexicon_names_the_file_entry_and_key(taxonomy, tmp_path, text, message):
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as caught:
        load_lexicon(path, taxonomy)
    assert str(path) in str(caught.value)


def test_a_missing_lexicon_file_is_named(taxonomy, tmp_path):
    with pytest.raises(LexiconError, match="lexicon file not found"):
        load_lexicon(tmp_path / "none.toml", taxonomy)
