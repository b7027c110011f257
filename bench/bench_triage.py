#!/usr/bin/env python
"""Time and peak memory of grouping 5,000 contributions (issue 3, point 7: target under 60 s on 2 cores).

    .venv/bin/python bench/bench_triage.py [--contributions 5000] [--seed 1] [--json]

The contributions are generated from the labelled Italian set
(``officine/consultations/tests/data/triage_it.jsonl``): each one recombines one to three sentences of
contributions with the same label, with variations (an opening or closing phrase, a dropped word, typos,
sentence order), and about one in ten is a copy, slightly edited, of one of a few "campaign" texts. So the
benchmark data are not 5,000 copies of 169 texts, and they carry labels: the script prints the adjusted
Rand index of the topic clusters against them, and the precision and recall of the near-duplicate pairs.

``group_contributions`` runs in this process, as in the task worker (no database, no Django), from a cold
start: the model load is part of the time. Peak memory is the process's maximum resident set size
(``ru_maxrss``, which includes the Python interpreter, numpy and the model) and, separately, the peak of
Python allocations during grouping (``tracemalloc``, which sees numpy arrays too).
"""

import argparse
import json
import random
import re
import resource
import sys
import time
import tracemalloc
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "officine" / "consultations" / "tests" / "data" / "triage_it.jsonl"
TARGET_SECONDS = 60.0

OPENINGS = [
    "Buongiorno, ",
    "Come associazione, ",
    "In merito alla sezione 3, ",
    "Per conto della nostra organizzazione, ",
    "A nome del comitato di quartiere, ",
    "Riguardo alla bozza del programma, ",
    "Dopo aver letto il documento, ",
    "",
    "",
    "",
]
CLOSINGS = [" Grazie.", " Cordiali saluti.", " Restiamo a disposizione per approfondire.", "", "", ""]


def load_labelled() -> list[dict]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def typo(word: str, rng: random.Random) -> str:
    """Swap two adjacent letters, drop one, or drop an accent: the slips people make when typing fast."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word.translate(str.maketrans("àèéìòù", "aeeiou"))


def vary(text: str, rng: random.Random, *, typo_rate: float = 0.03, drop_rate: float = 0.03) -> str:
    words = text.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < drop_rate and len(words) > 6:
            continue
        out.append(typo(word, rng) if roll < drop_rate + typo_rate else word)
    return " ".join(out)


def generate(n: int, seed: int = 1) -> tuple[list[str], list[str], list[str]]:
    """``n`` texts, their topic labels and their sources.

    The source of a campaign copy is its campaign; that of a recombined text is the set of sentences it
    was made of. Texts with the same source are the near-duplicates the grouping should find (the same
    sentences in another order, with other typos and greetings, are still the same contribution).
    """
    rng = random.Random(seed)
    rows = load_labelled()
    sentences: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        if row["duplicates"]:
            continue  # campaigns are generated below, from their own texts
        for sentence in re.split(r"(?<=[.!?])\s+", row["text"]):
            if len(sentence.split()) >= 3:
                sentences.setdefault(row["label"], []).append(
                    (len(sentences.get(row["label"], [])), sentence)
                )
    labels = sorted(sentences)
    # The labelled set's campaigns (one text of each), each copied many times with small edits.
    first_copy: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["duplicates"]:
            first_copy.setdefault(row["duplicates"], (row["label"], row["text"]))
    chosen_campaigns = [first_copy[key] for key in sorted(first_copy)]

    texts, topic, source = [], [], []
    for _ in range(n):
        if rng.random() < 0.1:
            number = rng.randrange(len(chosen_campaigns))
            label, text = chosen_campaigns[number]
            texts.append(vary(text, rng, typo_rate=0.01, drop_rate=0.01))
            topic.append(label)
            source.append(f"campaign {number}")
            continue
        label = rng.choice(labels)
        picked = rng.sample(sentences[label], k=min(len(sentences[label]), rng.choice([1, 1, 2, 2, 3])))
        body = " ".join(vary(sentence, rng) for _, sentence in picked)
        opening = rng.choice(OPENINGS)
        if opening:
            body = opening + body[0].lower() + body[1:]
        texts.append(body + rng.choice(CLOSINGS))
        topic.append(label)
        source.append(f"{label} " + ",".join(str(number) for number, _ in sorted(picked)))
    return texts, topic, source


def duplicate_pairs(groups) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def overlapping(a: str, b: str) -> bool:
    """Whether two sources share a campaign or at least one sentence."""
    if a.startswith("campaign") or b.startswith("campaign"):
        return a == b
    label_a, numbers_a = a.split(" ")
    label_b, numbers_b = b.split(" ")
    return label_a == label_b and bool(set(numbers_a.split(",")) & set(numbers_b.split(",")))


def measure(texts: list[str], topic: list[str], source: list[str], *, trace: bool) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from officine.consultations import triage

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = triage.group_contributions(texts)
    elapsed = time.perf_counter() - started
    figures: dict = {}
    if trace:
        figures["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    by_source: dict[str, list[int]] = {}
    for i, key in enumerate(source):
        by_source.setdefault(key, []).append(i)
    truth = duplicate_pairs(by_source.values())
    found = duplicate_pairs(group.members for group in result.duplicates)
    return {
        **figures,
        "seconds": round(elapsed, 2),
        **{f"{stage}_s": round(seconds, 2) for stage, seconds in result.timings.items()},
        "topics": len(result.topics),
        "ari": round(adjusted_rand_score(topic, result.topic_labels), 3),
        "duplicate_groups": len(result.duplicates),
        "largest_duplicate_group": max((group.size for group in result.duplicates), default=0),
        "duplicate_precision": round(len(truth & found) / len(found), 3) if found else 1.0,
        "duplicate_recall": round(len(truth & found) / len(truth), 3) if truth else 1.0,
        "duplicate_overlap": (
            round(sum(overlapping(source[i], source[j]) for i, j in found) / len(found), 3) if found else 1.0
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also run once more under tracemalloc and report its peak (that run is much slower)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    import sklearn.cluster  # noqa: F401  (libraries loaded before measuring, as in a worker)

    from officine.consultations import triage  # noqa: F401

    texts, topic, source = generate(args.contributions, args.seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"contributions": len(texts), **measure(texts, topic, source, trace=False)}
    figures["rss_before_mb"] = round(rss_before / 1024, 1)
    figures["max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )  # KiB on Linux
    if args.tracemalloc:
        figures["tracemalloc_peak_mb"] = measure(texts, topic, source, trace=True)["tracemalloc_peak_mb"]
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures, args)
    return 0 if figures["seconds"] < TARGET_SECONDS else 1


def print_table(figures: dict, args: argparse.Namespace) -> None:
    f = figures
    print(f"Triage of {f['contributions']:,} generated contributions (seed {args.seed})")
    print(f"  total              {f['seconds']:>8.2f} s   (target under {TARGET_SECONDS:.0f} s)")
    for stage in ("load", "embed", "duplicates", "cluster", "key_terms"):
        print(f"  - {stage:<16} {f[stage + '_s']:>8.2f} s")
    print(f"  peak RSS           {f['max_rss_mb']:>8.1f} MB  (libraries alone: {f['rss_before_mb']} MB)")
    if "tracemalloc_peak_mb" in f:
        print(f"  tracemalloc peak   {f['tracemalloc_peak_mb']:>8.1f} MB")
    print(f"  topic clusters     {f['topics']:>8}     adjusted Rand index {f['ari']:.3f}")
    print(
        f"  near-duplicates    {f['duplicate_groups']:>8}     groups (largest {f['largest_duplicate_group']})"
    )
    print(
        f"    pairs from the same source: precision {f['duplicate_precision']:.3f}, "
        f"recall {f['duplicate_recall']:.3f}"
    )
    print(f"    pairs that share a sentence or a campaign: {f['duplicate_overlap']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
