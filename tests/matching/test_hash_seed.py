"""Every replica answers a name alike: matching never depends on the order a process's hash seed gives sets of strings.

Python seeds string hashing per process, so two replicas (or a replica and the CLI) iterate the same set of strings
in different orders. A misspelt listed name is run through the real lists' index in two processes of different seeds;
their candidates, scores and decisions must be identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.matching.index import Index
from service.matching.snapshot import dump_index

pytestmark = pytest.mark.store_independent

# Loads the dumped index, screens every query with no review threshold (every scored candidate is answered,
# so a changed candidate order shows), and prints the answers as JSON.
_SCREEN = """
import json, sys
from pathlib import Path
from service.matching.snapshot import load_index
from service.matching.types import MatchThresholds, Query
index = load_index(Path(sys.argv[1]).read_bytes())
everything = MatchThresholds(review=0.0, block=0.97)
answers = [
    [(m.entry.source, m.entry.entity_id, m.score, m.decision, m.matched_name)
     for m in index.search(Query(name), thresholds=everything, limit=20)]
    for name in json.loads(Path(sys.argv[2]).read_text())
]
print(json.dumps(answers))
"""


def _misspelt(name: str, number: int) -> str:
    """One letter of the name's longest word replaced, at a position that moves with `number`."""
    words = name.replace(",", " ").split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    position = 1 + number % max(len(word) - 2, 1)
    words[longest] = word[:position] + ("o" if word[position].lower() != "o" else "e") + word[position + 1 :]
    return " ".join(words)


def _answers(index_path: Path, queries_path: Path, seed: str) -> list[object]:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    completed = subprocess.run(
        [sys.executable, "-c", _SCREEN, str(index_path), str(queries_path)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    answers: list[object] = json.loads(completed.stdout)
    return answers


def test_misspelt_listed_names_get_the_same_answers_under_any_hash_seed(real_index: Index, tmp_path: Path) -> None:
    long_names = [entry.name for entry in real_index.entries if max(map(len, entry.name.split()), default=0) >= 7]
    queries = [_misspelt(name, number) for number, name in enumerate(long_names[::12])]
    index_path, queries_path = tmp_path / "index.pickle", tmp_path / "queries.json"
    index_path.write_bytes(dump_index(real_index))
    queries_path.write_text(json.dumps(queries))
    first, second = (_answers(index_path, queries_path, seed) for seed in ("1", "2"))
    assert len(first) == len(queries)
    differing = [query for query, one, other in zip(queries, first, second, strict=True) if one != other]
    assert differing == []
