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
from copydetect import CodeFingerprint, compare_files

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


def compare(prints):
    """Every pair (a < b) of {id: CodeFingerprint} with a score above 0,
    best first (ties by ids)."""
    ids = sorted(prints)
    found = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            _, (share_a, share_b), (slices_a, slices_b) = compare_files(prints[a], prints[b])
            score = score_of(share_a, share_b, prints[a].token_coverage, prints[b].token_coverage)
            if score > 0:
                found.append(Pair(a, b, score, float(share_a), float(share_b), slices_a, slices_b))
    found.sort(key=lambda p: (-p.score, p.a, p.b))
    return found
