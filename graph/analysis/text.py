"""Word-based, case- and accent-insensitive text matching with positions in the
original text's code points. Indexes (SQLite FTS5, Neo4j full-text) find candidate
documents; this finds the matches in them, the same way for every adapter."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from graph.analysis.worker import stopping
from graph.errors import BadInput, LimitExceeded

MAX_QUERY_CHARS = 1_000
"""The longest search text: a question, not a document."""
MAX_QUERY_TERMS = 32
"""The most words and phrases in one search (each is matched against every word searched)."""
_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lower case without accents or other marks: what two words must share to match.
    (Canonical decomposition and lower(), not NFKD and casefold(), to fold as SQLite
    FTS5's unicode61 tokenizer does, so the index and this agree.)"""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_RUN = re.compile(f"[\\w{_MARKS}]+")
"""A word as written: word characters with the combining marks that belong to them."""


def _fold_run(run: str) -> tuple[str, ...]:
    """The folded words of a run; ordinary words are cached, a freak run of thousands of letters is not."""
    return _fold_word(run) if len(run) <= 64 else tuple(_WORD.findall(fold(run)))


@lru_cache(maxsize=65536)
def _fold_word(run: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(run)))


KEPT_TOKENS = 2_000_000
"""The most words the token cache keeps, over all the texts it holds (a few hundred MB at most)."""


class _TokenCache:
    """The words of recently searched texts, bounded by their number (so by memory, not by a
    count of texts that may each be megabytes): the same transcripts are searched again and again."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._kept: OrderedDict[str, tuple[Token, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> tuple[Token, ...] | None:
        with self._lock:
            found = self._kept.get(text)
            if found is not None:
                self._kept.move_to_end(text)
            return found

    def put(self, text: str, words: tuple[Token, ...]) -> None:
        if len(words) > self.budget // 4:
            return  # a text this large would crowd out all the rest
        with self._lock:
            if text in self._kept:
                return
            self._kept[text] = words
            self.used += len(words)
            while self.used > self.budget:
                _, dropped = self._kept.popitem(last=False)
                self.used -= len(dropped)


_TOKENS = _TokenCache(KEPT_TOKENS)


def tokens(text: str) -> tuple[Token, ...]:
    """The words of `text`, folded, with their span in `text` (code points, end exclusive,
    combining marks included)."""
    if (kept := _TOKENS.get(text)) is not None:
        return kept
    found = _tokenize(text)
    _TOKENS.put(text, found)
    return found


def _tokenize(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    for count, m in enumerate(_RUN.finditer(text)):
        if count % 10_000 == 0:
            stopping()
        words = _fold_run(m.group())
        if len(words) == 1:
            out.append(Token(words[0], m.start(), m.end()))
        else:  # folding split the run (or emptied it): place each piece by its own characters
            out.extend(_tokens_by_char(m.group(), m.start()))
    return tuple(out)


def _tokens_by_char(run: str, offset: int) -> list[Token]:
    folded: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(run):
        for f in fold(char):
            folded.append(f)
            origin.append(i)
    flat = "".join(folded)
    out = []
    for m in _WORD.finditer(flat):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        while end < len(run) and unicodedata.combining(run[end]):
            end += 1
        out.append(Token(m.group(), offset + start, offset + end))
    return out


def parse_query(query: str) -> list[tuple[str, ...]]:
    """Terms of a search: each a word or a "quoted phrase", as folded words. All must occur."""
    terms = []
    if len(query) > MAX_QUERY_CHARS:
        raise LimitExceeded(
            f"The search text is {len(query):,} characters long; ask with fewer words",
            limit="maxSearchChars",
            maximum=MAX_QUERY_CHARS,
        )
    for phrase, word in _TERM.findall(query):
        words = tuple(t.text for t in tokens(phrase if phrase else word))
        if words:
            terms.append(words)
    if not terms:
        raise BadInput('The search text has no words; give one or more words or "quoted phrases".')
    if len(terms) > MAX_QUERY_TERMS:
        raise LimitExceeded(
            f'The search has {len(terms):,} words or "quoted phrases"; ask with fewer',
            limit="maxSearchTerms",
            maximum=MAX_QUERY_TERMS,
        )
    return terms


def find(text: str, terms: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans of every occurrence of any term, in text order, if every term occurs; else none."""
    words = tokens(text)
    texts = [w.text for w in words]
    found: list[tuple[int, int]] = []
    seen_terms = 0
    for term in terms:
        stopping()
        n = len(term)
        starts = [i for i, w in enumerate(texts) if w == term[0] and texts[i : i + n] == list(term)]
        spans = [(words[i].start, words[i + n - 1].end) for i in starts]
        seen_terms += bool(spans)
        found.extend(spans)
    return sorted(set(found)) if seen_terms == len(terms) else []


def contains(text: str, query: str) -> bool:
    """Whether `text` matches a search (every term occurs)."""
    return bool(find(text, parse_query(query)))
