"""Word-based, case- and accent-insensitive text matching with positions in the
original text's code points, by word stem (English Snowball: "fear" finds "fears" and
"feared"). Indexes (SQLite FTS5, Neo4j full-text) find candidate documents by the starts
those words share (`index_prefixes`); this finds the matches in them, the same way for every
adapter."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

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
    """The word folded (see `fold`)."""
    start: int
    end: int
    stem: str
    """What two words must share to match (see `stem`)."""


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


_STEMMERS = threading.local()
"""A Snowball stemmer per thread: one keeps state while it stems a word."""


@lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """The English Snowball stem of a folded word: "fears", "feared" and "fear" all give "fear"."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


_REPLACED_ENDINGS = ("ie", "le", "e", "i", "y", "l")
"""What a Snowball English rule may leave at the end of a stem in place of a word's own letters
("hoping" gives "hope", "cry" "cri", "sensibility" "sensibl", "dying" "die", "skies" "sky")."""


def word_prefix(word: str) -> str:
    """The start that every word with the same stem as `word` begins with (folded; may be empty):
    its stem less an ending a rule may have put there. A full-text index of the words as written
    finds every document with such a word by this prefix (checked over a million word forms in
    tests/graph/test_search_words.py)."""
    found = stem(word)
    for ending in _REPLACED_ENDINGS:
        if found.endswith(ending):
            return found[: -len(ending)]
    return found


def index_prefixes(terms: list[tuple[str, ...]]) -> list[str]:
    """Word starts a matching document has, each in some word (see `word_prefix`), for a full-text
    index's prefix query: the candidates it finds include every document that matches."""
    return sorted({p for term in terms for word in term if (p := word_prefix(word))})


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
            out.append(Token(words[0], m.start(), m.end(), stem(words[0])))
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
        out.append(Token(m.group(), offset + start, offset + end, stem(m.group())))
    return out


def parse_query(query: str) -> list[tuple[str, ...]]:
    """Terms of a search: each a word or a "quoted phrase", as folded words. All must occur, each
    word as any word with its stem."""
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


MAX_NEAR = 100
"""The widest stretch of words a proximity search (`near`) may ask for."""


def check_near(terms: list[tuple[str, ...]], near: int | None) -> None:
    """A stretch must hold every word searched for, and stay a stretch, not a document."""
    if near is None:
        return
    needed = sum(len(term) for term in terms)
    if not needed <= near <= MAX_NEAR:
        raise BadInput(
            f"near is {near}: give a number of words between {needed} (the words searched for, each "
            f"in the stretch) and {MAX_NEAR}."
        )


def find(text: str, terms: list[tuple[str, ...]], near: int | None = None) -> list[tuple[int, int]]:
    """Spans of every occurrence of any term (its words' stems in a row), in text order, if every
    term occurs; else none. With `near`, only the occurrences in a shortest stretch of at most
    `near` words that holds every term."""
    words = tokens(text)
    stems = [w.stem for w in words]
    found: list[tuple[int, int, int]] = []  # (first word, last word + 1, term) of each occurrence
    for k, term in enumerate(terms):
        stopping()
        n = len(term)
        wanted = [stem(w) for w in term]
        found += [(i, i + n, k) for i, s in enumerate(stems) if s == wanted[0] and stems[i : i + n] == wanted]
    if len({k for _, _, k in found}) < len(terms):
        return []
    if near is not None:
        found = _near(sorted(found), len(terms), near)
    return sorted({(words[a].start, words[b - 1].end) for a, b, _ in found})


def _near(found: list[tuple[int, int, int]], count: int, near: int) -> list[tuple[int, int, int]]:
    """The occurrences (in text order) of the shortest windows holding all `count` terms within
    `near` words: for each occurrence, the window ending there that starts as late as it can."""
    kept: set[int] = set()
    seen: dict[int, int] = {}
    left = 0
    for right, (_, _, term) in enumerate(found):
        if right % 10_000 == 0:
            stopping()
        seen[term] = seen.get(term, 0) + 1
        while seen[found[left][2]] > 1:  # the window's first term occurs again later in it
            seen[found[left][2]] -= 1
            left += 1
        if len(seen) < count or found[right][0] - found[left][0] >= near:
            continue
        if max(b for _, b, _ in found[left : right + 1]) - found[left][0] <= near:
            kept.update(range(left, right + 1))
    return [found[i] for i in sorted(kept)]


def contains(text: str, query: str) -> bool:
    """Whether `text` matches a search (every term occurs)."""
    return bool(find(text, parse_query(query)))
