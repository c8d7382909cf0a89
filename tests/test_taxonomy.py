"""The default taxonomy loads, maps model labels onto nodes, and bad files give precise errors."""
from __future__ import annotations

import pytest

from classifiers.classify.taxonomy import DEFAULT_TAXONOMY_PATH, TaxonomyError, load_taxonomy

TRAINING_LABELS = ["城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_default_taxonomy_covers_city_and_social_sides(taxonomy):
    lamp = taxonomy.by_code("BJ-01037")
    assert lamp.name == "路灯" and lamp.is_leaf
    assert lamp.path == ("管理部件", "市政公用设施", "路灯")
    assert taxonomy.by_code("SJ-06010").name == "暴露垃圾"
    assert taxonomy.by_code("SJ-06028").path[:2] == ("管理事项", "市容环境类")
    wages = taxonomy.by_code("SH-02-01")
    assert wages.path == ("劳动和社会保障", "拖欠工资")
    assert "人社局" in wages.department
    # the standard's 153 components and 97 matters of classes 06–10 are all present
    assert sum(1 for n in taxonomy.leaves if n.code.startswith("BJ-")) == 153
    assert sum(1 for n in taxonomy.leaves if n.code.startswith("SJ-")) == 97


def test_training_labels_map_onto_top_level_nodes(taxonomy):
    for label in TRAINING_LABELS:
        node = taxonomy.resolve(label)
        assert node is not None, label
        assert node.parent is None and not node.is_leaf
        assert node.department, label


def test_lookup_by_code_name_and_alias(taxonomy):
    assert taxonomy.by_name("路灯异常").code == "BJ-01037"  # the standard's matter name
    assert taxonomy.resolve("BJ-01037").name == "路灯"
    assert taxonomy.resolve("噪声扰民").code == "SJ-06028"
    assert taxonomy.resolve("没有这个类别") is None
    with pytest.raises(KeyError, match="NOPE"):
        taxonomy.by_code("NOPE")


def test_every_leaf_is_dispatchable(taxonomy):
    for leaf in taxonomy.leaves:
        assert leaf.keywords, leaf.code
        assert leaf.department, leaf.code
        assert leaf.time_limit_hours and leaf.time_limit_hours > 0, leaf.code


def test_safety_and_consultation_flags(taxonomy):
    assert taxonomy.by_code("SH-01-01-01").urgent  # 燃气泄漏
    assert taxonomy.by_code("SH-08-02").urgent  # 火灾隐患
    assert taxonomy.by_code("SH-01-01-02").urgent  # 房屋安全隐患
    assert "没了" in taxonomy.by_code("BJ-01023").urgent_words  # 井盖没了
    assert not taxonomy.by_code("BJ-01037").urgent
    consult = [n for n in taxonomy.leaves if n.consultation]
    assert consult and all(n.code.startswith("ZX-") for n in consult)
    assert taxonomy.urgent_time_limit_hours == 2


# ---------------------------------------------------------------- errors

GOOD = """
[taxonomy]
name = "t"

[[branch]]
code = "A"
name = "城市管理"

[[leaf]]
code = "A-1"
name = "路灯"
parent = "A"
keywords = ["路灯"]
department = "市政所"
time_limit_hours = 48
"""


def write(tmp_path, text):
    p = tmp_path / "taxonomy.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_small_valid_file_loads(tmp_path):
    t = load_taxonomy(write(tmp_path, GOOD))
    assert t.by_code("A-1").path == ("城市管理", "路灯")


def test_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(TaxonomyError, match="nope.toml.*not found"):
        load_taxonomy(missing)


def test_malformed_toml_names_the_file_and_line(tmp_path):
    p = write(tmp_path, GOOD + "\n[[leaf]\ncode = \n")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(p)
    assert str(p) in str(err.value) and "TOML" in str(err.value) and "line" in str(err.value)


@pytest.mark.parametrize(
    "extra, expected",
    [
        ('[[leaf]]\ncode = "A-1"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-1 \(井盖\).*duplicate code 'A-1'"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = []\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*'keywords' is empty"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*missing 'keywords'"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*missing 'department'"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = -3\n',
         r"leaf A-2 \(井盖\).*'time_limit_hours' must be more than 0"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = "两天"\n',
         r"leaf A-2 \(井盖\).*'time_limit_hours' must be a number"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ndepartment = "市政所"\n',
         r"leaf A-2 \(井盖\).*missing 'time_limit_hours'"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "B"\nkeywords = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*parent 'B' is not"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeyword = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*unknown key\(s\) \['keyword'\]"),
        ('[[leaf]]\ncode = "A-2"\nname = "路灯"\nparent = "A"\nkeywords = ["灯"]\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(路灯\).*name '路灯' is already used by A-1"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\nexclude = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = 24\n',
         r"leaf A-2 \(井盖\).*both keywords and exclusion words"),
        ('[[leaf]]\ncode = "A-2"\nname = "井盖"\nparent = "A"\nkeywords = ["井盖"]\ndepartment = "市政所"\ntime_limit_hours = 24\nurgent = "yes"\n',
         r"leaf A-2 \(井盖\).*'urgent' must be true or false"),
    ],
)
def test_bad_entries_name_file_entry_and_problem(tmp_path, extra, expected):
    p = write(tmp_path, GOOD + "\n" + extra)
    with pytest.raises(TaxonomyError, match=expected) as err:
        load_taxonomy(p)
    assert str(err.value).startswith(str(p))


@pytest.mark.parametrize("line, expected", [
    ('danger_claims = "安全隐患"', r"\[taxonomy\]: 'danger_claims' must be a list of strings"),
    ('hazard_words = ["开裂", ""]', r"\[taxonomy\]: 'hazard_words' contains an empty string"),
    ('hypothetical_words = [1]', r"\[taxonomy\]: 'hypothetical_words' must be a list of strings"),
    ('illness_words = "流鼻血"', r"\[taxonomy\]: 'illness_words' must be a list of strings"),
    ('many_people_words = ["很多", ""]', r"\[taxonomy\]: 'many_people_words' contains an empty string"),
])
def test_bad_letter_danger_words_name_the_key(tmp_path, line, expected):
    p = write(tmp_path, GOOD.replace('name = "t"\n', f'name = "t"\n{line}\n', 1))
    with pytest.raises(TaxonomyError, match=expected):
        load_taxonomy(p)


def test_letter_danger_words_load(tmp_path):
    p = write(tmp_path, GOOD.replace('name = "t"\n', 'name = "t"\ndanger_claims = ["安全隐患"]\nhazard_words = ["开裂"]\n', 1))
    t = load_taxonomy(p)
    assert t.danger_claims == ("安全隐患",) and t.hazard_words == ("开裂",) and t.hypothetical_words == ()
    assert t.illness_words == () and t.many_people_words == ()


def test_file_without_leaves_is_rejected(tmp_path):
    p = write(tmp_path, '[[branch]]\ncode = "A"\nname = "x"\n')
    with pytest.raises(TaxonomyError, match="no \\[\\[leaf\\]\\] entries"):
        load_taxonomy(p)


def test_default_path_is_the_bundled_file():
    assert DEFAULT_TAXONOMY_PATH.name == "taxonomy.toml" and DEFAULT_TAXONOMY_PATH.is_file()
