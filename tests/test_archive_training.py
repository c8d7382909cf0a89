"""A city's archive of labelled letters (bench/archive_training.py) becomes training records
the way a dispatcher labelled them: a city matter under its national code's leaf, with its
urgency; a letter that is not one under a leaf of the social class the archive gave it;
non-city letters thinned evenly when asked."""
from __future__ import annotations

import json
from pathlib import Path

from bench import archive_training


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_archive_letters_become_training_records(tmp_path, monkeypatch):
    letters = [
        {"id": "a1", "text": "小区楼下麻将馆每天吵到凌晨两点，严重影响休息。", "label": "城乡建设"},
        {"id": "a2", "text": "村旁化工厂排放刺鼻废气，村民苦不堪言，请环保部门查处。", "label": "环境保护"},
        {"id": "a3", "text": "新开通的公交线路班次太少，等车要一个小时。", "label": "交通运输"},
        {"id": "a4", "text": "人行道上井盖没了，晚上看不见，已经有人踩空。", "label": "城乡建设"},
        {"id": "a5", "text": "我家附近的养猪场臭气熏天。", "label": "环境保护"},
    ]
    monkeypatch.setattr(archive_training, "LETTERS", write(tmp_path / "train.jsonl", letters))
    labels = write(tmp_path / "labels.jsonl", [
        {"id": "a1", "city": True, "code": "06028", "also_ok": [], "urgent": False},
        {"id": "a2", "city": False, "code": None, "also_ok": [], "urgent": False},
        {"id": "a3", "city": False, "code": None, "also_ok": [], "urgent": False},
        {"id": "a4", "city": True, "code": "01002", "also_ok": [], "urgent": True},
        {"id": "a5", "city": False, "code": None, "also_ok": [], "urgent": False},
    ])

    records = archive_training.archive_records([labels])
    by_text = {r["text"][:4]: r for r in records}
    assert [r["kind"] for r in records] == ["city", "social", "social", "city", "social"]
    assert by_text["小区楼下"]["label"] == "SJ-06028" and not by_text["小区楼下"]["urgent"]
    assert by_text["人行道上"]["label"] == "BJ-01002" and by_text["人行道上"]["urgent"]
    assert by_text["村旁化工"]["label"].startswith("SH-05-")  # 环境保护
    assert by_text["新开通的"]["label"].startswith("SH-07-")  # 交通运输

    thinned = archive_training.archive_records([labels], social=0.34)
    assert [r["kind"] for r in thinned] == ["city", "city", "social"]  # one of the three non-city letters
