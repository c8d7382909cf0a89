"""Text normalization shared by the keyword rules, the learned model and the locator.

`normalize(text)` is a pure function (same input, same output, no I/O after the first call
loads the OpenCC table). It does, in order:

1. Unicode NFKC: full-width Latin letters, digits and punctuation become half-width
   ("ＡＢＣ１２３，" → "ABC123,"); compatibility forms are folded.
2. Traditional → simplified Chinese with OpenCC `t2s` ("路燈壞了" → "路灯坏了").
3. Latin letters to lower case.
4. Emoji, control characters and other symbols are dropped; CJK punctuation is mapped to
   ASCII (。→. 、→, 【】→[] …); runs of punctuation collapse to one mark.
5. Spoken filler is removed ("嗯", "啊", "呃", "那个", "就是说", "然后呢", "怎么说呢" …).
   Fillers that are also parts of words ("额" in 金额, "喂" in 喂养) are only removed when
   they stand alone between punctuation.
6. Speech-recognition noise: a character repeated three or more times collapses to one
   ("灯灯灯" → "灯"; a doubled character such as 天天 is kept), a 2–4 character unit stuttered
   back to back collapses to one ("路灯路灯不亮" → "路灯不亮"), spaces between Chinese
   characters are removed ("路 灯 不 亮" → "路灯不亮"), runs of whitespace become one space.
"""
from __future__ import annotations

import re
import threading
import unicodedata

__all__ = ["normalize", "to_simplified"]

_cc = None
_cc_lock = threading.Lock()


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC t2s (the converter is created once)."""
    global _cc
    if _cc is None:
        with _cc_lock:
            if _cc is None:
                import opencc

                _cc = opencc.OpenCC("t2s")
    return _cc.convert(text)


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# CJK punctuation left by NFKC → ASCII.
_PUNCT = dict(
    {
        "。": ".",
        "、": ",",
        "，": ",",
        "｡": ".",
        "；": ";",
        "：": ":",
        "？": "?",
        "！": "!",
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "《": '"',
        "》": '"',
        "〈": '"',
        "〉": '"',
        "…": ".",
        "—": "-",
        "–": "-",
        "～": "~",
        "·": " ",
        "・": " ",
        "\u3000": " ",
    }
)
_re_cjk_punct = re.compile("[" + re.escape("".join(_PUNCT)) + "]")


def _punct_sub(m: re.Match) -> str:
    return _PUNCT[m.group()]


# Fillers removed wherever they occur: they are never part of a content word. The first ones
# are said between phrases ("每天去唱歌那个东四文化馆"): where a phrase mark is asked for, they
# leave it, so that the words before them are not read into a name.
_FILLERS_BETWEEN = ["就是说", "然后呢", "怎么说呢", "你知道吧", "你知道吗", "我跟你说", "我跟你讲", "那个那个", "这个这个",
                    "就是就是", "那个"]
_FILLERS_ANYWHERE = [*_FILLERS_BETWEEN, "嗯", "呃", "啊", "哎呀", "唉", "哎", "呐"]
# Fillers that are also parts of words: removed only when they stand alone.
_FILLERS_ALONE = ["额", "喂", "哦", "噢", "嘛", "呀", "吧", "对吧", "是吧", "然后", "就是", "这个", "呢", "哈"]

_SEP = r"(?:^|(?<=[\s,.;:!?~\"'\[\]()\-]))"
_END = r"(?=$|[\s,.;:!?~\"'\[\]()\-])"
_re_fill_between = re.compile("|".join(sorted(map(re.escape, _FILLERS_BETWEEN), key=len, reverse=True)))
_re_fill_any = re.compile("|".join(sorted(map(re.escape, _FILLERS_ANYWHERE), key=len, reverse=True)))
_re_fill_alone = re.compile(
    _SEP + "(?:" + "|".join(sorted(map(re.escape, _FILLERS_ALONE), key=len, reverse=True)) + ")" + _END
)
# Anything that is not a letter, digit, CJK character, common punctuation or whitespace.
_re_junk = re.compile(r"[^\w\s" + _CJK + r",.;:!?~\"'\[\]()\-%/#&@+=*<>]")
_re_punct_run = re.compile(r"([,.;:!?~\"'\-])[\s,.;:!?~\"'\-]+")
_re_repeat3 = re.compile(r"([" + _CJK + r"])\1{2,}")
_re_stutter = re.compile(r"([" + _CJK + r"]{2,4})\1+")
_re_cjk_space = re.compile(r"(?<=[" + _CJK + r"])\s+(?=[" + _CJK + r"])")
# A space between two runs of two or more Chinese characters separates phrases ("冒水了 丰乐路",
# "各位 新华路口"), unlike the spaces speech recognition puts between single characters ("路 灯 不
# 亮"). (Some put spaces between the words of one name too — "佳兆业 城市广场" — but far fewer.)
_re_phrase_space = re.compile(r"(?<=[" + _CJK + r"]{2})\s+(?=[" + _CJK + r"]{2})")
_re_space = re.compile(r"\s+")
_re_space_punct = re.compile(r"\s+(?=[,.;:!?~])")
_re_lead_punct = re.compile(r"^[\s,.;:!?~\-]+")


# "@市民热线 人民公园正门…": whom a post is addressed to says nothing of the problem, and glued
# to the words after it would read as part of a place's name.
_re_mention = re.compile(r"(?:^|(?<=\s))@[^\s@]{1,20}(?=\s|$)")


def normalize(text: str, phrase_break: str = "") -> str:
    """Normalize citizen text for matching and classification. Never raises on str input.
    `phrase_break`: put this mark where a space between Chinese words separated two phrases
    (the place reader uses it to tell where a name may start); by default it goes too."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _re_mention.sub(" ", text)
    text = to_simplified(text)
    text = _re_cjk_punct.sub(_punct_sub, text.lower())
    # Control characters, emoji and other symbols; `_` is a word character but noise here.
    text = _re_junk.sub(" ", text).replace("_", " ")
    if phrase_break:
        text = _re_phrase_space.sub(phrase_break, text)
    text = _re_cjk_space.sub("", text)
    if phrase_break:
        text = _re_fill_between.sub(phrase_break, text)
    text = _re_fill_any.sub("", text)
    # Repeated twice: removing one standalone filler can expose the next ("额,就是,路灯").
    for _ in range(2):
        text = _re_fill_alone.sub("", text)
        text = _re_punct_run.sub(r"\1", text)
    text = _re_repeat3.sub(r"\1", text)
    text = _re_stutter.sub(r"\1", text)
    text = _re_space.sub(" ", text)
    text = _re_space_punct.sub("", text)
    text = _re_lead_punct.sub("", text)
    return text.strip()


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_numeral(s: str) -> int | None:
    """一百三十一 → 131, 十八 → 18, 一二五 → 125 (as people say house and building numbers)."""
    if not s:
        return None
    if "十" not in s and "百" not in s:
        try:
            return int("".join(str(_CN_DIGIT[c]) for c in s))
        except KeyError:
            return None
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGIT:
            cur = _CN_DIGIT[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
    return total + cur
