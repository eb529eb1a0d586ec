"""Fill a release notebook with a submission's functions (for tests and demos).

    fill_notebook(release_nb, functions_source) -> a new notebook

A release (our student notebook, otter's or nbgrader's) has one code cell per
function the student writes: a stub. ``fill_notebook`` replaces every code
cell made only of function definitions (comments aside) whose functions the
submission defines, by the submission's definitions of those functions (the
last one wins, as when the module runs). Module-level names those functions
use (constants, private helpers, imports) are put before the first function
that needs them (``import numpy as np`` is left to the notebook's setup
cell). Cells the submission does not cover stay as they are, and a
cell's metadata (nbgrader's grade ids, otter's, ours) is kept.

This is for trusted code (the answer key, the catalogue of buggy
submissions): statements of the submission that bind no name are dropped, and
nothing here runs the code.
"""

import ast
import copy

from autograder.submissions import NUMPY_IMPORT, _names_bound_by

__all__ = ["fill_notebook", "defined_functions", "SourceIndex"]


def defined_functions(cell_source):
    """Names of the functions a cell defines when it holds nothing but
    function definitions (and comments); () for any other cell."""
    try:
        tree = ast.parse(cell_source)
    except SyntaxError:
        return ()
    if not tree.body or not all(isinstance(node, ast.FunctionDef) for node in tree.body):
        return ()
    return tuple(node.name for node in tree.body)


class SourceIndex:
    """The top-level statements of a submission, by the names they bind."""

    def __init__(self, source):
        self.lines = source.splitlines()
        self.functions = {}          # name -> its last FunctionDef node
        self.binders = []            # (node, names) of every other binding statement
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            names = _names_bound_by(node, imports=True)
            if names:
                self.binders.append((node, names))

    def text(self, node):
        """The source text of a statement, decorators included."""
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
        return "\n".join(self.lines[first - 1:node.end_lineno])

    def dependencies(self, node, provided):
        """Binding statements node needs (transitively), in source order,
        leaving out names in provided (defined by cells of their own)."""
        needed, queue = [], [node]
        while queue:
            current = queue.pop()
            loads = {n.id for n in ast.walk(current) if isinstance(n, ast.Name)}
            for binder, names in self.binders:
                if binder is node or any(binder is n for n in needed) or binder in queue:
                    continue
                if names & (loads - provided) and not self._is_cell_function(binder, provided):
                    needed.append(binder)
                    queue.append(binder)
        return sorted(needed, key=lambda n: n.lineno)

    def _is_cell_function(self, node, provided):
        return isinstance(node, ast.FunctionDef) and node.name in provided


def fill_notebook(release_nb, functions_source):
    """A copy of release_nb with its function cells replaced by the
    submission's definitions (see the module docstring).

    Inputs:
    - release_nb: an nbformat notebook (not modified)
    - functions_source: a Python module's text (e.g. the answer key, or
      ``submissions.compose(bug_file)``)
    """
    nb = copy.deepcopy(release_nb)
    sub = SourceIndex(functions_source)
    cells = [(cell, defined_functions(cell.source)) if cell.cell_type == "code" else (cell, ())
             for cell in nb.cells]
    replaced = [(cell, names) for cell, names in cells
                if names and all(name in sub.functions for name in names)]
    provided = {name for _, names in replaced for name in names}
    emitted = set()
    for cell, names in replaced:
        pieces = []
        for name in names:
            node = sub.functions[name]
            for dep in sub.dependencies(node, provided):
                if id(dep) not in emitted and sub.text(dep) != NUMPY_IMPORT:
                    emitted.add(id(dep))
                    pieces.append(sub.text(dep))
            pieces.append(sub.text(node))
        cell.source = "\n\n\n".join(piece.strip("\n") for piece in pieces)
        cell.outputs = []
        cell.execution_count = None
    return nb
