"""Pairwise similarity with copydetect (winnowed k-gram fingerprints, as MOSS).

copydetect tokenizes each text with pygments and filters it (every name
becomes V, every function name F, every string S; comments and whitespace
vanish), so renamed variables, changed comments and reformatting do not
hide a copy; it fingerprints the filtered text's k-grams and removes every
fingerprint that also occurs in the boilerplate (here: the starter code),
so two students who only kept the stubs and given cells share nothing.

NOISE_K: the shortest match that counts, in filtered characters (measured
on the corpus, every variant as written, before MIN_OWN: with 20,
independent correct variants score at most 0.663 and disguised copies at
least 0.858; with 25 the weakest copy of a small file fell to 0.737).
WINDOW: the winnowing window. copydetect hashes k-grams with Python's
hash(), which is salted per process; with a window of 1 (guarantee
threshold = noise threshold) every k-gram is kept, so the result never
depends on that salt and the same submissions always give the same JSON.
MIN_OWN: below this much own code (filtered characters, starter code
removed: about 10 lines) a student's share is scaled down (score_of).
"""

import functools
import io
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint
from copydetect.utils import get_copied_slices

NOISE_K = 20          # copydetect's default is 25; 20 separates copies of small files better
WINDOW = 1
MIN_OWN = 300         # filtered characters of own code a share is measured against, at least
LANGUAGE = "python"


@dataclass(frozen=True)
class Pair:
    """Two submissions' similarity: score and the matching regions of each
    (copydetect's slices: a 2 x n array of start and end offsets in the raw code)."""
    a: str
    b: str
    score: float
    share_a: float        # the part of a's own code (starter code removed) found in b
    share_b: float
    slices_a: object
    slices_b: object


def _fingerprint(code, boilerplate=None, window=WINDOW, k=NOISE_K):
    """copydetect's CodeFingerprint of a text held in memory."""
    return CodeFingerprint("submission.py", k, window, boilerplate=boilerplate,
                           language=LANGUAGE, fp=io.StringIO(code))


@functools.cache
def boilerplate_hashes(pieces, k=NOISE_K):
    """Every k-gram hash of the starter code (window 1, as copydetect's own
    boilerplate handling does), as a sorted array. pieces: a tuple of texts."""
    hashes = set()
    for piece in pieces:
        hashes |= _fingerprint(piece, window=1, k=k).hashes
    return np.array(sorted(hashes))


def fingerprints(codes, boilerplate, k=NOISE_K, failed=None):
    """{id: CodeFingerprint} of {id: code} with the boilerplate removed; a text
    the tokenizer fails on is left out, its reason put in failed ({id: reason})."""
    prints = {}
    for sid, code in codes.items():
        try:
            prints[sid] = _fingerprint(code, boilerplate, k=k)
        except Exception as exc:          # pygments on any text (RecursionError included): never a crash
            if failed is not None:
                failed[sid] = f"its code could not be tokenized ({type(exc).__name__})"
    return prints


def _share(share, own):
    """A share of one side's own code, measured against at least MIN_OWN characters."""
    return share * own / max(own, MIN_OWN) if own else 0.0


def score_of(share_a, share_b, own_a, own_b):
    """A pair's score: the larger of the two shares (so a student who copied
    someone's whole answer into more work of their own is still caught), each
    share measured against at least MIN_OWN characters of own code, so a
    student who wrote one line (a textbook sigmoid) does not score 1 against
    everyone who wrote the same line."""
    return float(max(_share(share_a, own_a), _share(share_b, own_b)))


def _positions(prints, ids):
    """{id: (codes, places)}: each fingerprint of each id as a small integer code
    (the same for the same hash across the class) and its position in the text."""
    hashes, places = {}, {}
    for sid in ids:
        where = prints[sid].hash_idx
        hashes[sid] = np.array([h for h, at in where.items() for _ in at], dtype=np.int64)
        places[sid] = np.array([i for at in where.values() for i in at], dtype=np.int64)
    everything = np.concatenate([hashes[sid] for sid in ids] + [np.zeros(0, dtype=np.int64)])
    _, codes = np.unique(everything, return_inverse=True)
    out, at = {}, 0
    for sid in ids:
        out[sid] = (codes[at:at + len(hashes[sid])], places[sid])
        at += len(hashes[sid])
    return out, int(codes.max()) + 1 if len(codes) else 0


def _to_raw(fp, slices):
    """copydetect's mapping of slices in the filtered code to the raw code."""
    if len(fp.offsets) > 0:
        slices = slices + fp.offsets[:, 1][np.clip(np.searchsorted(fp.offsets[:, 0], slices),
                                                   0, fp.offsets.shape[0] - 1)]
    return slices


def compare_pair(fa, fb, idx_a, idx_b):
    """copydetect's compare_files(fa, fb) -> (overlap, (share_a, share_b), (slices_a,
    slices_b)), given the positions of each side's fingerprints that the other
    shares (idx_a, idx_b: what copydetect's find_fingerprint_overlap finds, at a
    cost that grows with the shared code; compare() finds them with array lookups).
    tests/test_similarity.py checks it gives compare_files' results."""
    slices_a, slices_b = get_copied_slices(idx_a, fa.k), get_copied_slices(idx_b, fb.k)
    if len(slices_a[0]) == 0:
        return 0, (0, 0), (np.array([]), np.array([]))
    overlap_a = np.sum(slices_a[1] - slices_a[0])
    overlap_b = np.sum(slices_b[1] - slices_b[0])
    share_a = overlap_a / fa.token_coverage if len(fa.filtered_code) > 0 else 0
    share_b = overlap_b / fb.token_coverage if len(fb.filtered_code) > 0 else 0
    return overlap_a, (share_a, share_b), (_to_raw(fa, slices_a), _to_raw(fb, slices_b))


def compare(prints):
    """Every pair (a < b) of {id: CodeFingerprint} with a score above 0,
    best first (ties by ids)."""
    ids = sorted(prints)
    positions, size = _positions(prints, ids)
    in_a, in_b = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    found = []
    for i, a in enumerate(ids):
        codes_a, places_a = positions[a]
        in_a[codes_a] = True
        for b in ids[i + 1:]:
            codes_b, places_b = positions[b]
            shared_b = in_a[codes_b]
            if not shared_b.any():
                continue
            in_b[codes_b] = True
            shared_a = in_b[codes_a]
            in_b[codes_b] = False
            _, (share_a, share_b), (slices_a, slices_b) = compare_pair(
                prints[a], prints[b], places_a[shared_a], places_b[shared_b])
            score = score_of(share_a, share_b, prints[a].token_coverage, prints[b].token_coverage)
            if score > 0:
                found.append(Pair(a, b, score, float(share_a), float(share_b), slices_a, slices_b))
        in_a[codes_a] = False
    found.sort(key=lambda p: (-p.score, p.a, p.b))
    return found
