"""What instructors and students open is safe and honest: text from a
submission (ids, messages, output, notes) can neither run in a spreadsheet,
repaint a terminal, forge a row or a heading, nor take another student's
feedback file. The hostile text here is plain strings, never run."""

import csv
import io
import json
import re
import unicodedata

import pytest

from autograder.textsafe import one_line, printable

# Every character the terminal, a spreadsheet or a Markdown renderer could
# misread, as submissions can smuggle them in.
CONTROLS = ([chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
            + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
               "\u2069", "\u2028", "\u2029", "\u200e", "\u200f", "\u061c", "\udcff"])
FORGED_ROW = "x\n100 of 100 graded\nzed  15  15  15  15  20  20  10  100/100  graded"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\rA\u202egnp.exe"


def _bad(text):
    """The characters of ``text`` that must never reach a terminal."""
    return [c for c in text if c in CONTROLS and c != "\n"]


# -- textsafe ----------------------------------------------------------------

def test_one_line_leaves_no_control_character_and_shows_what_was_there():
    for c in CONTROLS:
        out = one_line(f"a{c}b")
        assert len(out.splitlines()) == 1 and not _bad(out) and "\n" not in out, repr(c)
        assert out.startswith("a\\") and out.endswith("b"), repr(out)
    assert one_line("a\nb\x1b[2J") == "a\\nb\\x1b[2J"
    assert one_line("\u202eexe.txt") == "\\u202eexe.txt"
    assert one_line("naïve 学生 ✓") == "naïve 学生 ✓"          # printable text is kept


def test_one_line_caps_and_printable_keeps_newlines_only():
    assert one_line("x" * 50, limit=10) == "x" * 7 + "..."
    assert one_line("short", limit=10) == "short"
    text = printable("out\r\nmore\x07\rover\u2028\tend")
    assert text.split("\n") == ["out", "more\\x07\\rover\\u2028    end"]
    assert not _bad(printable("".join(CONTROLS)))
    assert len(printable("y" * 100, limit=20)) == 20
