"""Word-based, case- and accent-insensitive text matching with positions in the
original text's code points. Indexes (SQLite FTS5, Neo4j full-text) find candidate
documents; this finds the matches in them, the same way for every adapter."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from graph.errors import BadInput

_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lower case without accents: what two words must share to match. (Canonical
    decomposition and lower(), not NFKD and casefold(), to fold as SQLite FTS5's
    unicode61 tokenizer does, so the index and this agree.)"""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[Token]:
    """The words of `text`, folded, with their span in `text` (code points, end exclusive,
    combining marks that follow a word included)."""
    folded: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for f in fold(char):
            folded.append(f)
            origin.append(i)
    flat = "".join(folded)
    out = []
    for m in _WORD.finditer(flat):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        out.append(Token(m.group(), start, end))
    return out


def parse_query(query: str) -> list[tuple[str, ...]]:
    """Terms of a search: each a word or a "quoted phrase", as folded words. All must occur."""
    terms = []
    for phrase, word in _TERM.findall(query):
        words = tuple(t.text for t in tokens(phrase if phrase else word))
        if words:
            terms.append(words)
    if not terms:
        raise BadInput("The search text has no words; give one or more words or \"quoted phrases\".")
    return terms


def find(text: str, terms: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans of every occurrence of any term, in text order, if every term occurs; else none."""
    words = tokens(text)
    found: list[tuple[int, int]] = []
    seen_terms = 0
    for term in terms:
        spans = [
            (words[i].start, words[i + len(term) - 1].end)
            for i in range(len(words) - len(term) + 1)
            if all(words[i + k].text == term[k] for k in range(len(term)))
        ]
        seen_terms += bool(spans)
        found.extend(spans)
    return sorted(set(found)) if seen_terms == len(terms) else []


def contains(text: str, query: str) -> bool:
    """Whether `text` matches a search (every term occurs)."""
    return bool(find(text, parse_query(query)))
