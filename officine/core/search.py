"""Full-text search that behaves the same on SQLite and PostgreSQL.

Text is normalised in Python (lower case, accents removed, Italian and English stems from PyStemmer) into
a ``search_document`` column of space-separated stems. A query is normalised the same way, and every
query stem must prefix-match a stem of the document. On PostgreSQL the match runs on a ``tsvector``
('simple' configuration, since the stemming is already done) backed by a GIN index; on SQLite it is a
``LIKE`` per term on the short document column, which stays fast at registry sizes (tens of thousands of
rows). Doing the linguistics once, in Python, keeps both back ends returning the same rows, so tests on
either one prove the other.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, Value

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER_IT = Stemmer.Stemmer("italian")
_MIN_STEM = 2


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return _STEMMER_IT.stemWord(word)


def tokens(text: str) -> list[str]:
    """Stems of ``text``: unaccented, lower case, Italian-stemmed (which also trims English plurals)."""
    words = _WORD.findall(strip_accents(text or "").lower())
    return [_stem(w) for w in words if len(w) >= _MIN_STEM]


def build_document(*parts: str | None) -> str:
    """The value to store in a ``search_document`` column: unique stems, space-delimited on both ends."""
    seen: dict[str, None] = {}
    for part in parts:
        for tok in tokens(part or ""):
            seen.setdefault(tok, None)
    return " " + " ".join(seen) + " " if seen else ""


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def apply_search(queryset: QuerySet, query: str, field: str = "search_document") -> QuerySet:
    """Filter ``queryset`` to rows whose document holds every term of ``query`` (as a prefix).

    Returns the queryset unchanged for an empty query. On PostgreSQL the result is annotated with
    ``search_rank`` so callers may order by relevance.
    """
    terms = tokens(query)
    if not terms:
        return queryset
    if is_postgresql():
        ts_query = " & ".join(f"{t}:*" for t in terms)
        search_query = SearchQuery(ts_query, config="simple", search_type="raw")
        vector = SearchVector(F(field), config="simple")
        # The filter compares the same expression as the GIN index (see postgres_search_index), so the
        # planner uses the index; the rank is computed only for matching rows.
        return queryset.annotate(search_vector=vector, search_rank=SearchRank(vector, search_query)).filter(
            search_vector=search_query
        )
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__contains": f" {term}"})
    return queryset.filter(condition).annotate(search_rank=Value(1.0))


def postgres_search_index_sql(table: str, field: str = "search_document") -> tuple[str, str]:
    """Forward and reverse SQL for the GIN index matching :func:`apply_search` on PostgreSQL."""
    name = f"{table}_{field}_fts"[:63]
    forward = (
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
        f"USING gin (to_tsvector('simple'::regconfig, COALESCE(({field})::text, '')))"
    )
    return forward, f"DROP INDEX IF EXISTS {name}"
