"""``rnngrade similarity``: which students' code is suspiciously alike.

    document = similarity.run(["submitted/"], "similarity/", threshold=0.75)

writes ``DIR/similarity.json`` ::

    {"threshold": t,
     "pairs": [{"a": id, "b": id, "score": s, "flagged": bool}, ...],
     "skipped": [{"student": id, "reason": why}, ...]}

and ``DIR/similarity.html`` (the flagged pairs' matching regions side by
side). Submissions are found as ``rnngrade grade`` finds them (same ids:
autograder/discovery.py) and only READ, never run: a notebook's code cells
are taken from its JSON (autograder/similarity/code.py). The starter code
(the student notebook's given cells and stubs) is subtracted, and pairs are
scored with copydetect (autograder/similarity/compare.py).

- pairs: every pair with a score above 0, best first, ids in order within
  a pair (a < b); a pair not listed scored 0.
- score: the larger of the two shares (the part of one student's own code,
  starter code removed, that is found in the other's), each measured against
  at least compare.MIN_OWN characters of own code (about 10 lines), so two
  students who each wrote only a textbook one-liner are not a 1.0 pair;
  0 to 1, 4 decimals.
- flagged: score >= threshold. DEFAULT_THRESHOLD was measured on the
  repository's corpus (tests/test_similarity.py prints the numbers with -s):
  the 58 correct variants of tests/files/correct, compared pairwise (1,653
  pairs), score at most 0.661 as written and 0.647 put in the stub notebook
  (99% of pairs under 0.45); a disguised copy (names renamed, functions
  reordered, comments changed, code re-spaced) of every variant with at
  least MIN_OWN of own code scores at least 0.946 as written and 0.880 in
  the notebook (medians 0.998 and 0.965).
- skipped: submissions that could not be read (a link, a broken notebook,
  a file over the size limit, too much code); they are in no pair.
"""

import json
import os

from ..build import SourceError
from ..config import load_config
from ..discovery import discover
from . import compare
from .code import read_code, starter_code
from .html import report_html

DEFAULT_THRESHOLD = 0.75
MAX_CODE_CHARS = 1_000_000     # more code than any student writes: not fingerprinted
DIGITS = 4                     # decimals of a score

__all__ = ["DEFAULT_THRESHOLD", "UsageError", "analyse", "run"]


class UsageError(ValueError):
    """The command was misused (exit status 2)."""


def _codes(subs, max_bytes):
    """({id: code}, [skipped entries]) of discovered submissions."""
    codes, skipped = {}, []
    for sub in subs:
        code, reason = read_code(sub, max_bytes)
        if not reason and len(code) > MAX_CODE_CHARS:
            reason = f"its code is longer than {MAX_CODE_CHARS:,} characters; it was not compared"
        if reason:
            skipped.append({"student": sub.student, "reason": reason})
        else:
            codes[sub.student] = code
    return codes, skipped


def analyse(codes, threshold=DEFAULT_THRESHOLD):
    """(document, [compare.Pair]) of {id: code}: the JSON document (threshold,
    pairs, and the texts that could not be tokenized as skipped) and the pairs
    themselves (with their matching regions)."""
    try:
        starter = starter_code()
    except SourceError as exc:
        raise UsageError(f"the student notebook cannot be built from its source, so its starter "
                         f"code cannot be removed: {exc}") from None
    failed = {}
    prints = compare.fingerprints(codes, compare.boilerplate_hashes(starter), failed=failed)
    found = compare.compare(prints)
    rows = []
    for pair in found:
        score = round(pair.score, DIGITS)
        if score > 0:
            rows.append({"a": pair.a, "b": pair.b, "score": score, "flagged": score >= threshold})
    skipped = [{"student": sid, "reason": reason} for sid, reason in sorted(failed.items())]
    return {"threshold": threshold, "pairs": rows, "skipped": skipped}, found


def run(paths, out, threshold=None, config=None):
    """Compare the submissions under paths, write DIR/similarity.json and .html;
    returns the JSON document. Raises UsageError (a bad threshold, nothing to
    compare), discovery's DiscoveryError (a PATH that does not exist) or
    ConfigError (a bad --config)."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0 < threshold <= 1:
        raise UsageError(f"--threshold must be above 0 and at most 1, not {threshold:g}")
    max_bytes = load_config(config).limits.submission_bytes
    subs = discover(paths)
    if not subs:
        raise UsageError("no submissions found")
    codes, skipped = _codes(subs, max_bytes)
    document, found = analyse(codes, threshold)
    document["skipped"] = sorted(skipped + document["skipped"], key=lambda s: s["student"])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "similarity.json"), "w", encoding="ascii") as fh:
        fh.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
    flagged = [p for p in found if round(p.score, DIGITS) >= threshold]
    page = report_html(document, flagged, codes, compared=len(codes))
    with open(os.path.join(out, "similarity.html"), "w", encoding="utf-8") as fh:
        fh.write(page)
    return document
