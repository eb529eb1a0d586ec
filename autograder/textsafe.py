r"""Text from a submission, made safe to print or to write into a report.

Student ids (file names), exception messages, printed output and notes can
hold anything: ESC and OSC sequences that repaint a terminal, CR that
overwrites a line, newlines that forge a table row, Unicode bidi overrides
that reorder what an instructor reads, lone surrogates (non-UTF-8 file
names) that make writing UTF-8 fail. Two functions, used wherever such text
is shown:

    one_line("a\nb\x1b[2J")      == "a\\nb\\x1b[2J"    # one line, nothing invisible
    printable("out\r\nmore\x07") == "out\nmore\\x07"   # newlines kept

Every removed character is shown as a visible escape (``\n``, ``\x1b``,
``\u202e``), so the text stays honest about what was there.
"""

import re

# C0 controls, DEL, C1 controls (U+0080-U+009F, NEL included), the Arabic
# letter mark, LRM/RLM, line and paragraph separators, bidi embeddings and
# overrides (U+202A-U+202E), bidi isolates (U+2066-U+2069), lone
# surrogates, and the invisible format characters that make two ids look
# alike or hide text: soft hyphen, Mongolian vowel separator, zero-width
# space/joiners (U+200B-U+200D), word joiner and invisible operators
# (U+2060-U+2064), deprecated format controls (U+206A-U+206F), BOM/ZWNBSP,
# interlinear annotations (U+FFF9-U+FFFB) and tag characters (U+E0000-U+E007F).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028\u2029"
                      "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
                      "\U000e0000-\U000e007f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match):
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _cap(text, limit):
    if limit is not None and len(text) > limit:
        return text[:max(limit - 3, 0)] + "..."
    return text


def one_line(text, limit=None):
    """``text`` as one printable line: every control character (newlines
    included) becomes a visible escape; cut to ``limit`` characters
    (ending in "...") when longer."""
    return _cap(_CONTROL.sub(_escape, str(text)), limit)


def printable(text, limit=None):
    """``text`` with its newlines kept (CR LF becomes LF; a lone CR, which
    would overwrite the line on a terminal, is escaped); tabs become four spaces;
    every other control character becomes a visible escape; cut to
    ``limit``."""
    lines = str(text).replace("\r\n", "\n").replace("\t", "    ").split("\n")
    return _cap("\n".join(_CONTROL.sub(_escape, line) for line in lines), limit)
