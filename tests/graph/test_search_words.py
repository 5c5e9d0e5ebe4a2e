"""Search by stem: the full-text index is of words as written, so a search asks it for the start
that every word with the query word's stem shares (graph.analysis.text.word_prefix). If a word
did not begin with that start, the index would miss its documents: checked here over the word
forms of the demo study's transcripts with the common English endings."""

from __future__ import annotations

import re
from pathlib import Path

from graph.analysis.text import find, fold, index_prefixes, parse_query, stem, word_prefix
from graph.neo4j.store import _lucene_finds

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "seeds" / "datasets" / "perinatal_social_work"
ENDINGS = (
    "", "s", "es", "ed", "ing", "er", "ers", "ly", "ness", "ful", "fully", "ity", "ities", "ation", "ational",
    "ism", "ive", "iveness", "able", "ably", "ability", "ible", "ibility", "ize", "ization", "ies", "ied", "ying",
    "ance", "ence", "ent", "ently", "ous", "ously", "ousness", "al", "ally", "ality", "alism", "less", "lessly",
)  # fmt: skip
IRREGULAR = ("dying", "lying", "tying", "skies", "idly", "gently", "ugly", "early", "only", "singly", "news")


def word_forms() -> set[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in TRANSCRIPTS.rglob("*") if p.is_file())
    bases = {w for w in re.findall(r"\w+", fold(text)) if len(w) >= 3}
    forms = set(IRREGULAR)
    for base in bases:
        for ending in ENDINGS:
            forms |= {base + ending, base[:-1] + ending}  # "hope" + "ing" -> "hoping" too
    return forms


def test_every_word_begins_with_the_prefix_of_its_stem() -> None:
    forms = word_forms()
    assert len(forms) > 100_000
    missed = [w for w in forms if not w.startswith(word_prefix(w))]
    assert missed == []


def test_stems_and_prefixes() -> None:
    assert {stem(w) for w in ("fear", "fears", "feared", "fearing", "fearful")} == {"fear"}
    assert [word_prefix(w) for w in ("hoping", "cry", "dying", "sensibility")] == ["hop", "cr", "d", "sensib"]
    assert index_prefixes(parse_query('Feared "social WORKERS" i')) == ["fear", "socia", "worker"]


def test_matches_keep_the_words_as_written() -> None:
    text = "She FEARED it; the fears grew. Fearless? Social-workers came."
    spans = find(text, parse_query('fear "social worker"'))
    assert [text[a:b] for a, b in spans] == ["FEARED", "fears", "Social-workers"]


def test_near_keeps_the_shortest_stretches_holding_every_term() -> None:
    text = "fear came first. Much later, long after, judged. Then: fear, judged. Judged again; fears."
    terms = parse_query("fear judged")
    hits = [text[a:b] for a, b in find(text, terms, near=2)]
    assert hits == ["fear", "judged"], "the adjacent pair only: every other occurrence is further away"
    assert [text[a:b] for a, b in find(text, terms, near=3)] == ["judged", "fear", "judged", "Judged", "fears"]
    assert find(text, parse_query('"much later" judged'), near=4) == []
    assert [text[a:b] for a, b in find(text, parse_query('"much later" judged'), near=5)] == ["Much later", "judged"]
    assert find("fear and nothing else", terms, near=10) == [], "every term must occur"


def test_the_lucene_query_leaves_out_starts_its_index_may_not_find() -> None:
    """Neo4j's index may drop stop words and folds non-ASCII letters its own way: a start that could
    need either is left out of the prefix query (the query only widens; matching stays exact)."""
    assert _lucene_finds("fear") and _lucene_finds("judg")
    assert not _lucene_finds("the"), '"the" and "then" may not be in the index'
    assert not _lucene_finds("a") and not _lucene_finds("naïv")
