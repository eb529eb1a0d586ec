"""The progress shown while a batch is graded: tqdm's bar on a terminal,
one plain line per submission on a pipe (``rnngrade grade``,
``rnngrade nbgrader``)."""

import os

from .textsafe import one_line

PROGRESS_ID_WIDTH = 40        # characters of a student id in a progress line


def _terminal_size(stream):
    """(columns, lines) of the terminal, 80 x 24 where it reports none
    (a fresh pseudo-terminal says 0 x 0, and tqdm then hides its bar)."""
    try:
        size = os.get_terminal_size(stream.fileno())
        return size.columns or 80, size.lines or 24
    except (OSError, ValueError, AttributeError):
        return 80, 24


def progress_printer(stream):
    """A progress callback: tqdm's bar on a terminal, one plain line per
    submission on a pipe; the student id is always one line, no control
    character reaches the terminal."""
    if stream.isatty():
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            bar = {}

            def show(done, total, result):
                if "bar" not in bar:
                    columns, lines = _terminal_size(stream)
                    bar["bar"] = tqdm(total=total, file=stream, unit="sub", desc="grading",
                                      ncols=columns, nrows=lines)
                bar["bar"].update(1)
                bar["bar"].set_postfix_str(f"{one_line(result['student'], PROGRESS_ID_WIDTH)} "
                                           f"{result['score']:g}")
                if bar["bar"].n >= total:
                    bar["bar"].close()
            return show

    def plain(done, total, result):
        what = "cached" if done is None else f"{done}/{total}"
        stream.write(f"[{what}] {one_line(result['student'], PROGRESS_ID_WIDTH)}: "
                     f"{result['score']:g}/{result['max_score']:g} "
                     f"{result['status']}\n")
        stream.flush()
    return plain
