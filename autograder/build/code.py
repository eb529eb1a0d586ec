"""The code of a function cell, taken from solutions/ at build time.

- ``reference_cells()``: the answer key cut into one piece per contract
  function or provided helper (its module's constants and private helpers
  travel with the first function after them), for the solution notebook.
- ``stub(name, docstring)``: the student's starting point for one function:
  the answer key's signature, a docstring (the notebook source's own where
  the answer key's would give the answer away), ``# YOUR CODE HERE`` and
  ``raise NotImplementedError()``. No line of the answer key's body.
"""

import ast
import inspect

from autograder import spec, submissions

LETTERS = "Letters: N minibatch size, T sequence length, D input size, H hidden size."
_SHAPE_MARKS = ("(N", "(H", "(T", "(D")


def provided_helpers():
    """Names of the helpers a student gets in full."""
    return tuple(name for _, name in submissions.PROVIDED_HELPERS)


def reference_cells():
    """The answer key as {function or helper name: code}, in the answer key's order.

    Built from ``submissions.reference_source()`` (one module from solutions/),
    so a cell holds exactly the code the grader compares against. Statements
    that are not contract functions or provided helpers (constants, private
    helpers, module banners) join the next named piece; ``import numpy`` is
    left to the notebook's setup cell.
    """
    named = set(spec.FUNCTIONS) | set(provided_helpers())
    pieces, pending = {}, []
    chunks = submissions._statement_chunks(submissions.reference_source())
    for text, name, _ in chunks:
        if text.strip() == submissions.NUMPY_IMPORT:
            continue
        pending.append(text)
        if name in named:
            pieces[name] = "\n\n\n".join(pending).strip("\n") + "\n"
            pending = []
    if pending:                       # trailing statements belong with the last piece
        last = next(reversed(pieces))
        pieces[last] = pieces[last] + "\n\n" + "\n\n\n".join(pending).strip("\n") + "\n"
    missing = set(named) - set(pieces)
    if missing:
        raise ValueError(f"the answer key does not define {sorted(missing)}")
    return pieces


def _function_node(source, name):
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise KeyError(name)


def _with_letters(doc):
    """The docstring with the shape letters defined after its first paragraph,
    when it gives shapes in those letters."""
    if LETTERS in doc or not any(mark in doc for mark in _SHAPE_MARKS):
        return doc
    summary, sep, rest = doc.partition("\n\n")
    return summary + "\n\n" + LETTERS + (sep + rest if sep else "")


def _docstring_lines(doc, indent):
    lines = inspect.cleandoc(doc).splitlines()
    if '"""' in doc:
        raise ValueError("a stub docstring may not hold triple quotes")
    out = [indent + '"""' + lines[0]]
    out += [(indent + line).rstrip() for line in lines[1:]]
    if len(lines) > 1:
        out.append(indent + '"""')
    else:
        out[0] += '"""'
    return out


def stub(name, docstring=None):
    """The stub of one contract function: signature from solutions/, the given
    docstring (else the answer key's) with the letters defined, and the stub body."""
    if name not in spec.FUNCTIONS:
        raise KeyError(f"{name} is not a contract function")
    source = submissions._module_source(submissions.part_of(name).module)
    node = _function_node(source, name)
    doc = docstring if docstring is not None else ast.get_docstring(node)
    if doc is None:
        raise ValueError(f"{name} has no docstring and the notebook source gives none")
    lines = source.splitlines()
    first = node.body[0]
    header = lines[node.lineno - 1:first.lineno - 1]
    indent = " " * first.col_offset
    body = _docstring_lines(_with_letters(doc), indent)
    body += [indent + line for line in submissions.STUB_BODY]
    return "\n".join(header + body) + "\n"


def provided(name):
    """A provided helper's code, as the answer key writes it."""
    module = dict((n, m) for m, n in submissions.PROVIDED_HELPERS)[name]
    return submissions._function_source(submissions._module_source(module), name)
