"""Submissions generated from the answer key: the reference, the stub, notebooks.

One source of truth: every submission the tests and the demo use is built
from ``solutions/`` here, never pasted by hand.

    reference_source()        one self-contained module with every contract function
    stub_source()             the student's starting point: signatures, docstrings,
                              ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
    compose(override, base)   the reference (or the stub) with an override file appended
    to_notebook(source)       an nbformat v4 notebook, one code cell per part
    write_notebook(nb, path)
    read_header(override)     the machine-readable docstring of a fixture override

An override file holds only the functions a student wrote differently (and
any helpers they need); appended after the base module, its definitions win.
Its module docstring has a fixed form that the catalogue tests read:

    \"\"\"tanh derivative taken at h_prev instead of h_next.

    expect: q1
    also: q2
    hint: belongs to h_next
    \"\"\"

- ``expect``: the question(s) where the bug lives; they must lose points
- ``also``: other questions allowed to lose points (a caller of the buggy
  function, for instance); every question not listed keeps full marks
- ``hint``: a case-insensitive substring the feedback of every ``expect``
  question must contain; ``hint q3: ...`` gives one question its own

Correct variants use the same form with ``expect: none``.
"""

import ast
import functools
import importlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import spec

SOLUTIONS_PACKAGE = "solutions"
NUMPY_IMPORT = "import numpy as np"
STUB_BODY = ("# YOUR CODE HERE", "raise NotImplementedError()")
NOTEBOOK_TITLE = "RNN gradients: why they vanish or explode, and how to fix it"


@dataclass(frozen=True)
class Part:
    """One part of the assignment (a notebook section, a solutions module)."""
    number: int
    title: str
    module: str            # the solutions module that defines its functions
    questions: tuple       # question ids graded in this part

    @property
    def functions(self):
        return tuple(name for q in spec.QUESTIONS if q.id in self.questions for name in q.points)


PARTS = (
    Part(0, "How products of factors vanish or explode", "products", ("q0",)),
    Part(1, "The tanh RNN: one step and a whole sequence", "rnn", ("q1", "q2")),
    Part(2, "Gradient flow through time", "gradient_flow", ("q3",)),
    Part(3, "LSTM", "lstm", ("q4",)),
    Part(4, "GRU", "gru", ("q5",)),
    Part(5, "Gradient clipping", "clipping", ("q6",)),
)

# Helpers the student is given in full (the stub provides them, so
# student code may call them); each is (module, function name).
PROVIDED_HELPERS = (("activations", "sigmoid"),)


def part_of(function):
    """The Part a contract function belongs to."""
    for part in PARTS:
        if function in part.functions:
            return part
    raise KeyError(function)


# ---------------------------------------------------------------------------
# Reading the solutions package

def _module_source(name):
    module = importlib.import_module(f"{SOLUTIONS_PACKAGE}.{name}")
    return inspect.getsource(module)


def _relative_imports(tree):
    """Top-level ``from .x import a, b`` nodes of a module: (node, module name)."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            if node.level != 1 or not node.module:
                raise ValueError(f"unsupported relative import at line {node.lineno}")
            for alias in node.names:
                if alias.asname and alias.asname != alias.name:
                    raise ValueError(f"renaming import {alias.name} as {alias.asname} is not supported")
            out.append((node, node.module))
    return out


def _module_order():
    """Solutions modules needed by the contract, each after the ones it imports.

    Starts from the modules of PARTS and PROVIDED_HELPERS, follows their
    relative imports, and orders them depth-first so that dependencies come
    first while parts keep their order.
    """
    order, visiting = [], set()

    def visit(name):
        if name in order:
            return
        if name in visiting:
            raise ValueError(f"import cycle through solutions.{name}")
        visiting.add(name)
        for _, dep in _relative_imports(ast.parse(_module_source(name))):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for part in PARTS:
        visit(part.module)
    for module, _ in PROVIDED_HELPERS:
        visit(module)
    return order


def _names_bound_by(node, imports=False):
    """Names one top-level statement binds (by import too when ``imports``)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
    if imports and isinstance(node, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return set()


def _top_level_names(tree):
    """Names a module binds at top level, other than by import."""
    return set().union(*(_names_bound_by(node) for node in tree.body))


def _rename_names(source, renames):
    """Rename identifiers (not attributes, not text in strings) with tokenize."""
    if not renames:
        return source
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    # Edit from the end so earlier positions stay valid.
    for index in range(len(tokens) - 1, -1, -1):
        tok = tokens[index]
        if tok.type != tokenize.NAME or tok.string not in renames:
            continue
        previous = tokens[index - 1] if index else None
        if previous is not None and previous.type == tokenize.OP and previous.string == ".":
            continue
        (row, col), (_, end) = tok.start, tok.end
        line = lines[row - 1]
        lines[row - 1] = line[:col] + renames[tok.string] + line[end:]
    return "".join(lines)


def _as_comment(text):
    return "\n".join(("# " + line).rstrip() for line in inspect.cleandoc(text).splitlines())


def _strip_module(source, module):
    """A module's body for concatenation: no docstring, no numpy or relative imports.

    The docstring becomes a comment block under a banner naming the module.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    drop = set()
    docstring = ast.get_docstring(tree, clean=False)
    if docstring is not None:
        node = tree.body[0]
        drop.update(range(node.lineno - 1, node.end_lineno))
    for node in tree.body:
        relative = isinstance(node, ast.ImportFrom) and node.level > 0
        numpy = (isinstance(node, ast.Import) and len(node.names) == 1
                 and node.names[0].name == "numpy" and node.names[0].asname == "np")
        if relative or numpy:
            drop.update(range(node.lineno - 1, node.end_lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == SOLUTIONS_PACKAGE:
            raise ValueError(f"solutions.{module} imports {node.module} absolutely")
    body = [line for i, line in enumerate(lines) if i not in drop]
    text = "\n".join(body).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n\n", text)
    banner = f"# {'-' * 70}\n# solutions/{module}.py\n"
    if docstring is not None:
        banner += "#\n" + _as_comment(docstring) + "\n"
    return banner + "\n" + text + "\n"


@functools.cache
def reference_source():
    """The answer key as one self-contained module (numpy imported once).

    The solutions modules are concatenated, dependencies first, without their
    package-relative imports. A module-level name bound by two modules (both
    lstm and gru define PARAM_KEYS) is renamed in each, prefixed with its
    module's name, so that neither overwrites the other.
    """
    modules = _module_order()
    sources = {name: _module_source(name) for name in modules}
    owners = {}
    for name in modules:
        for ident in _top_level_names(ast.parse(sources[name])):
            owners.setdefault(ident, []).append(name)
    clashes = {ident: mods for ident, mods in owners.items() if len(mods) > 1}
    for ident in clashes:
        if ident in spec.FUNCTIONS or not ident.isupper():
            raise ValueError(f"{ident} is defined in several solutions modules: {clashes[ident]}")
    parts = ['"""Reference solutions of the RNN-gradients assignment, as one module.\n\n'
             'Generated from solutions/ by autograder/submissions.py; do not edit.\n"""\n',
             NUMPY_IMPORT + "\n"]
    for name in modules:
        renames = {ident: f"{name.upper()}_{ident}" for ident, mods in clashes.items() if name in mods}
        parts.append(_strip_module(_rename_names(sources[name], renames), name))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------
# The stub

def _function_node(tree, name):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise KeyError(name)


def _stub_function(source, name):
    """``def`` line(s) and docstring of one function, with a stub body."""
    tree = ast.parse(source)
    node = _function_node(tree, name)
    if node.decorator_list:
        raise ValueError(f"{name}: decorated functions are not supported")
    if ast.get_docstring(node) is None:
        raise ValueError(f"{name} has no docstring")
    lines = source.splitlines()
    doc = node.body[0]
    header = lines[node.lineno - 1:doc.lineno - 1]
    docstring = lines[doc.lineno - 1:doc.end_lineno]
    indent = " " * doc.col_offset
    body = [indent + line for line in STUB_BODY]
    return "\n".join(header + docstring + body) + "\n"


def _function_source(source, name):
    tree = ast.parse(source)
    node = _function_node(tree, name)
    return ast.get_source_segment(source, node, padded=True) + "\n"


def _part_banner(part):
    return f"# {'=' * 70}\n# Part {part.number}: {part.title}\n# {'=' * 70}\n"


@functools.cache
def stub_source():
    """The student's starting point as one module.

    Every contract function keeps its signature and docstring from solutions/
    and has the body ``# YOUR CODE HERE`` / ``raise NotImplementedError()``.
    The helpers of PROVIDED_HELPERS are given in full, in the part that first
    uses them.
    """
    provided = {}
    for module, helper in PROVIDED_HELPERS:
        provided.setdefault(module, []).append(helper)
    uses = {name: set(dep for _, dep in _relative_imports(ast.parse(_module_source(name))))
            for name in (p.module for p in PARTS)}
    chunks = ['"""RNN gradients assignment: your solutions.\n\n'
              'Replace every `raise NotImplementedError()` with your code. Keep the\n'
              'function names, arguments and return values: the autograder calls them.\n"""\n',
              NUMPY_IMPORT + "\n"]
    for part in PARTS:
        chunks.append(_part_banner(part))
        for module in [m for m in provided if m in uses[part.module]]:
            for helper in provided.pop(module):
                chunks.append("# Provided: use it, do not change it.\n"
                              + _function_source(_module_source(module), helper))
        source = _module_source(part.module)
        for name in part.functions:
            chunks.append(_stub_function(source, name))
    if provided:
        raise ValueError(f"provided helpers used by no part: {provided}")
    return "\n\n".join(chunks)


# ---------------------------------------------------------------------------
# Overrides

def _read_override(override):
    """(text, label) of an override given as a path or as source text."""
    if isinstance(override, Path):
        return override.read_text(), override.name
    if isinstance(override, str) and "\n" not in override and override.endswith(".py"):
        path = Path(override)
        return path.read_text(), path.name
    return override, "override"


BASES = {"reference": reference_source, "stub": stub_source}


def base_source(base):
    """The source of a base module by name: "reference" or "stub"."""
    if base not in BASES:
        raise ValueError(f"base must be one of {sorted(BASES)}, got {base!r}")
    return BASES[base]()


def compose(override, base="reference"):
    """The base module with an override's code appended (its definitions win).

    Inputs:
    - override: a path (Path, or a str ending in .py) or the override's text
    - base: "reference" or "stub"
    """
    source = base_source(base)
    text, label = _read_override(override)
    return (source.rstrip("\n") + f"\n\n\n# {'#' * 70}\n# Override: {label}\n\n"
            + text.strip("\n") + "\n")


@dataclass(frozen=True)
class Header:
    """The machine-readable docstring of an override file."""
    summary: str
    expect: tuple          # question ids that must lose points (empty: a correct variant)
    also: tuple            # question ids allowed to lose points as well
    hints: dict            # expected question id -> substring its feedback must contain


_HEADER_KEY = re.compile(r"^(expect|also|hint(?: (q\d+))?)$")


def _question_list(value, key):
    ids = tuple(v for v in re.split(r"[\s,]+", value.strip()) if v)
    if ids == ("none",):
        return ()
    unknown = [q for q in ids if q not in spec.QUESTION_IDS]
    if unknown:
        raise ValueError(f"{key}: unknown question ids {unknown}")
    return ids


def read_header(override):
    """Parse an override file's docstring into a Header (ValueError if malformed)."""
    text, label = _read_override(override)
    doc = ast.get_docstring(ast.parse(text))
    if not doc:
        raise ValueError(f"{label}: no module docstring")
    lines = doc.splitlines()
    fields = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep and _HEADER_KEY.match(key.strip()):
            if key.strip() in fields:
                raise ValueError(f"{label}: {key.strip()} given twice")
            fields[key.strip()] = value.strip()
    if "expect" not in fields:
        raise ValueError(f"{label}: no 'expect:' line")
    expect = _question_list(fields["expect"], "expect")
    also = _question_list(fields.get("also", ""), "also")
    if set(expect) & set(also):
        raise ValueError(f"{label}: a question is both expected and allowed")
    hints = {}
    for key, value in fields.items():
        qid = _HEADER_KEY.match(key).group(2)
        if qid is not None:
            if qid not in expect:
                raise ValueError(f"{label}: a hint for {qid}, which is not expected")
            hints[qid] = value
    for qid in expect:
        if qid not in hints and fields.get("hint"):
            hints[qid] = fields["hint"]
    if set(hints) != set(expect) or not all(hints.values()):
        raise ValueError(f"{label}: every expected question needs a hint")
    return Header(summary=lines[0].strip(), expect=expect, also=also, hints=hints)


# ---------------------------------------------------------------------------
# Notebooks

def _statement_chunks(source):
    """Top-level statements of a module as (text, function name or None, names bound).

    Comments and blank lines before a statement travel with it; the module
    docstring is dropped.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    body = list(tree.body)
    if body and ast.get_docstring(tree) is not None:
        start = body.pop(0).end_lineno
    else:
        start = 0
    chunks = []
    for node in body:
        end = node.end_lineno
        text = "\n".join(lines[start:end]).strip("\n")
        name = node.name if isinstance(node, ast.FunctionDef) else None
        chunks.append((text, name, _names_bound_by(node, imports=True)))
        start = end
    tail = "\n".join(lines[start:]).strip("\n")
    if tail:
        chunks.append((tail, None, set()))
    return chunks


def _cell_assignment(chunks):
    """Part number for each chunk.

    A contract function goes to its part. Any other statement goes to the
    part of the next contract function (after the last one, of the previous
    chunk), but never to a cell that runs before an earlier binding of a
    name it rebinds: the last definition in the source stays the last one
    run (an override's own sigmoid must replace the provided one).
    """
    parts = [part_of(name).number if name in spec.FUNCTIONS else None for _, name, _ in chunks]
    following = None
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] is None:
            parts[index] = following
        else:
            following = parts[index]
    previous = PARTS[0].number
    bound_in = {}                      # name -> latest part a chunk bound it in
    for index, (_, name, names) in enumerate(chunks):
        if parts[index] is None:
            parts[index] = previous
        if name not in spec.FUNCTIONS:
            parts[index] = max([parts[index]] + [bound_in[n] for n in names if n in bound_in])
        for n in names:
            bound_in[n] = max(bound_in.get(n, parts[index]), parts[index])
        previous = parts[index]
    return parts


def to_notebook(source, title=NOTEBOOK_TITLE):
    """An nbformat v4 notebook of a module: a title cell, then per part a
    markdown heading and one code cell holding that part's functions.

    Statements that are not contract functions (imports, helpers, constants)
    go to the cell of the next contract function in the source, or later
    when they redefine a name; running the code cells in order then leaves
    the same definitions as running the source.
    """
    chunks = _statement_chunks(source)
    assignment = _cell_assignment(chunks)
    cells = [nbformat.v4.new_markdown_cell(f"# {title}")]
    for part in PARTS:
        code = "\n\n\n".join(text for (text, _, _), number in zip(chunks, assignment) if number == part.number)
        cells.append(nbformat.v4.new_markdown_cell(f"## Part {part.number}: {part.title}"))
        cells.append(nbformat.v4.new_code_cell(code.strip("\n")))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def notebook_code(nb):
    """The code cells of a notebook joined into one module's text."""
    return "\n\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "code") + "\n"


def write_notebook(nb, path):
    """Write a notebook (validated) to path; returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    with open(path, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
    return path
