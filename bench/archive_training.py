"""A city's archive of labelled letters as training data: what retraining on real letters of
the board (not text written for the project) does to the classifier.

A city that adopts the gateway has years of dispatched letters with the codes its dispatchers
gave them. This builds such an archive from the TipDM 2020 C training letters
(`../shared/data/tipdm2020c/train.jsonl`, the same board as the evaluation letters of
`hotissues.jsonl`, other letters: those sharing text with any hot-issue letter are not
labelled) and the labels helpers gave them by id (`bench/data/board_archive_v*.jsonl`: city
or not, the national code, urgency), and retrains the gateway's classifier on the project's
corpus plus the archive (`run.py train --classifier`):

    .venv/bin/python bench/archive_training.py --model /tmp/archive.pkl
    .venv/bin/python bench/classify_eval.py --board \
        --config $'[classification]\\nmodel = "/tmp/archive.pkl"'

A city matter is trained under its national code's leaf; a letter that is not a city matter
under the likeliest leaf (by the default model) of the social class the challenge gave it.
The texts stay in ../shared/data: the archive file this writes goes to a temporary path.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify.combined import build_classifier, kind_of, reading  # noqa: E402

LETTERS = ROOT.parent / "shared" / "data" / "tipdm2020c" / "train.jsonl"
LABELS = sorted((ROOT / "bench" / "data").glob("board_archive_v*.jsonl"))


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def archive_records(label_files: list[Path], *, social: float = 1.0, other_classes: bool = False) -> list[dict]:
    """Training records from the labels by id and the letters' texts. `other_classes`: also
    every unlabelled letter of the challenge's other classes, as the social matter it is."""
    letters = {rec["id"]: rec for rec in load(LETTERS)}
    classifier = build_classifier(model_path="auto")
    taxonomy = classifier.taxonomy
    by_national = {n.code[3:]: n.code for n in taxonomy.leaves if n.code.startswith(("BJ-", "SJ-"))}
    branch_of_class = {n.name: n.code for n in taxonomy.nodes.values() if n.code.startswith("SH-") and n.code.count("-") == 1}
    social_leaves = {n.code for n in taxonomy.leaves if kind_of(n) == "social"}

    def likeliest_social(text: str, branch: str) -> str:
        probs = classifier.model.probabilities(reading(text))["main"]
        inside = {c: p for c, p in probs.items() if c.startswith(branch + "-") and c in social_leaves}
        if inside:
            return max(inside, key=inside.get)
        return min(c for c in social_leaves if c.startswith(branch + "-"))

    records, labelled = [], set()
    seen_social = 0  # `social`: the share of the non-city letters kept, spread evenly (the n-th is kept when
    # n × share passes a whole number)
    for path in label_files:
        for lab in load(path):
            letter = letters[lab["id"]]
            labelled.add(lab["id"])
            text = letter["text"]
            if lab.get("city") and lab.get("code") in by_national:
                records.append({"text": text, "label": by_national[lab["code"]], "kind": "city",
                                "urgent": bool(lab.get("urgent")), "channel": "board"})
            elif not lab.get("city") and int((seen_social := seen_social + 1) * social) > int((seen_social - 1) * social):
                branch = branch_of_class.get(letter["label"])
                if branch:
                    records.append({"text": text, "label": likeliest_social(text, branch), "kind": "social",
                                    "urgent": bool(lab.get("urgent")), "channel": "board"})
    if other_classes:
        for letter in letters.values():
            if letter["id"] in labelled or letter["label"] in ("城乡建设", "环境保护", "交通运输"):
                continue
            branch = branch_of_class.get(letter["label"])
            if branch:
                records.append({"text": letter["text"], "label": likeliest_social(letter["text"], branch),
                                "kind": "social", "urgent": False, "channel": "board"})
    return records


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--labels", type=Path, nargs="*", default=LABELS, help="labels by id (default: every archive file)")
    p.add_argument("--model", type=Path, required=True, help="where to write the retrained model")
    p.add_argument("--social", type=float, default=1.0, help="share of the letters that are not city matters to keep")
    p.add_argument("--other-classes", action="store_true",
                   help="also the challenge's letters of its other (social) classes, unlabelled")
    args = p.parse_args()
    records = archive_records(args.labels, social=args.social, other_classes=args.other_classes)
    kinds = {k: sum(r["kind"] == k for r in records) for k in ("city", "social")}
    print(f"archive: {len(records)} letters ({kinds['city']} city, {kinds['social']} social, "
          f"{sum(r['urgent'] for r in records)} urgent)", file=sys.stderr)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    try:
        subprocess.run([sys.executable, str(ROOT / "run.py"), "train", "--classifier", "--data", out.name,
                        "--model", str(args.model)], check=True, cwd=ROOT)
    finally:
        Path(out.name).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
