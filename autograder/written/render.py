"""The written answers as one self-contained HTML page (no network at all).

Markdown is rendered by markdown-it-py (raw HTML in an answer is shown as
text, never interpreted); ``$...$`` and ``$$...$$`` by mdit-py-plugins'
dollarmath, each formula converted to MathML by latex2mathml, which
Chromium draws natively: no MathJax, no CDN. A formula latex2mathml cannot
read (or latex2mathml not installed) is shown as its TeX source.
A Content-Security-Policy forbids every fetch.
"""

import html
import xml.etree.ElementTree as ET

from .answers import notebook_language

TEXT = {
    "en": {"title": "Written answers", "answer": "Answer", "none":
           "No answer: this cell still holds the placeholder.", "notebook": "Notebook"},
    "zh": {"title": "简答题答案", "answer": "回答", "none": "未作答：该单元格仍是占位文字。",
           "notebook": "笔记本"},
}
FONTS = '"Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif'
MATH_FONTS = '"Noto Sans Math", "STIX Two Math", "DejaVu Serif", "Noto Sans CJK SC", math'
CSS = f"""
body {{ font-family: {FONTS}; font-size: 11pt; line-height: 1.45; margin: 0 1.2cm; }}
math {{ font-family: {MATH_FONTS}; }}
h1 {{ font-size: 16pt; }} h2 {{ font-size: 13pt; border-bottom: 1px solid #888; }}
section {{ break-inside: auto; margin-bottom: 1.2em; }}
.question {{ color: #333; }}
.answer {{ border-left: 3px solid #36c; padding-left: 0.8em; }}
.missing {{ border: 2px solid #c00; color: #c00; padding: 0.4em; font-weight: bold; }}
.tex {{ font-family: "DejaVu Sans Mono", monospace; background: #eee; }}
pre, code {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; white-space: pre-wrap; }}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"


# MathML elements latex2mathml writes; anything else in its output (it copies
# \text{...} unescaped) is refused and the formula shown as TeX source.
MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder "
    "munderover mtable mtr mtd mlabeledtr mstyle menclose mpadded mphantom merror mfenced "
    "semantics annotation maligngroup malignmark".split())


def safe_mathml(markup):
    """Is this MathML well-formed, made of MathML elements only, with no
    event-handler or link attribute?"""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return False
    for element in root.iter():
        if element.tag.rpartition("}")[2] not in MATHML_TAGS:
            return False
        for name in element.attrib:
            local = name.rpartition("}")[2].lower()
            if local.startswith("on") or local in ("href", "src"):
                return False
    return True


def tex_to_mathml(tex, display=False):
    """MathML of one TeX formula, or its escaped source if it cannot be converted."""
    source = f'<code class="tex">{html.escape(tex)}</code>'
    try:
        from latex2mathml.converter import convert
        markup = convert(tex, display="block" if display else "inline")
    except Exception:                    # latex2mathml missing or the TeX not understood
        return source
    return markup if safe_mathml(markup) else source


def _markdown():
    """A markdown-it renderer: CommonMark with raw HTML escaped, tables, $ math;
    None when markdown-it-py or mdit-py-plugins is not installed."""
    try:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin
    except ImportError:
        return None

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return md.use(dollarmath_plugin, allow_space=True, double_inline=True,
                  renderer=lambda content, options: tex_to_mathml(content, options.get("display_mode", False)))


def markdown_html(text, md=None):
    """One Markdown text as HTML (escaped; math as MathML), or the text itself,
    escaped and preformatted, without a Markdown library."""
    md = md or _markdown()
    if md is None:
        return f"<pre>{html.escape(text)}</pre>"
    return md.render(text)


def page(nb, written, title=""):
    """The whole HTML page of a notebook's written answers (a str)."""
    lang = notebook_language(nb)
    words, md = TEXT[lang], _markdown()
    parts = [f'<!doctype html>\n<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head>'
             f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
             f'<title>{html.escape(words["title"])}</title><style>{CSS}</style></head><body>',
             f'<h1>{html.escape(words["title"])}</h1>']
    if title:
        parts.append(f'<p>{html.escape(words["notebook"])}: {html.escape(title)}</p>')
    for item in written:
        parts.append(f'<section id="{html.escape(item.name)}"><h2>{html.escape(item.name)}</h2>')
        if item.question:
            parts.append(f'<div class="question">{markdown_html(item.question, md)}</div>')
        parts.append(f'<h3>{html.escape(words["answer"])}</h3>')
        if item.unanswered:
            parts.append(f'<p class="missing">{html.escape(words["none"])}</p>')
        else:
            parts.append(f'<div class="answer">{markdown_html(item.answer, md)}</div>')
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
