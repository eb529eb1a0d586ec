"""Submissions generated from the answer key (autograder/submissions.py) and
the demo's sample students (autograder/samples.py)."""

import ast
import dis
import functools
import inspect
from pathlib import Path

import nbformat
import numpy as np
import pytest

import solutions
from autograder import spec
from autograder.samples import SAMPLES, SAMPLES_DIR, materialize
from autograder.submissions import (PARTS, base_source, compose, notebook_code, read_header,
                                    reference_source, stub_source, to_notebook, write_notebook)
from test_catalogue import BUGS, CORRECT, namespace_of, oracle_failures

REPO = Path(__file__).resolve().parent.parent


def _body_lines(function):
    """Non-trivial code lines of a function's body (no docstring, comments or short lines)."""
    node = ast.parse(inspect.getsource(function)).body[0]
    source = inspect.getsource(function).splitlines()
    first = node.body[1].lineno if ast.get_docstring(node) is not None else node.body[0].lineno
    lines = (line.split("#")[0].strip() for line in source[first - 1:])
    return {line for line in lines if len(line) > 8}


# ---------------------------------------------------------------------------
# The reference module

def test_reference_source_is_self_contained():
    """Does the reference module import numpy once and nothing from the package?"""
    source = reference_source()
    tree = ast.parse(source)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [ast.unparse(n) for n in imports] == ["import numpy as np"]
    assert "solutions" not in {getattr(n, "module", None) for n in imports}
    assert str(REPO) not in source


def test_reference_source_defines_every_contract_function_once():
    tree = ast.parse(reference_source())
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    for name in spec.FUNCTIONS:
        assert names.count(name) == 1, name


def test_reference_source_equals_solutions_numerically():
    """Does every function of the generated module give the answer key's values?"""
    assert oracle_failures(namespace_of(reference_source())) == {}


def test_clashing_module_constants_are_kept_apart():
    """lstm and gru both define PARAM_KEYS: does each backward still use its own keys?"""
    ns = namespace_of(reference_source())
    assert ns["LSTM_PARAM_KEYS"] == spec.LSTM_PARAM_KEYS
    assert ns["GRU_PARAM_KEYS"] == spec.GRU_PARAM_KEYS
    assert "PARAM_KEYS" not in ns


# ---------------------------------------------------------------------------
# The stub

def test_stub_defines_every_contract_function_with_its_signature_and_docstring():
    ns = namespace_of(stub_source())
    for name in spec.FUNCTIONS:
        reference = getattr(solutions, name)
        assert inspect.signature(ns[name]) == inspect.signature(reference), name
        assert inspect.getdoc(ns[name]) == inspect.getdoc(reference), name


@pytest.mark.parametrize("name", spec.FUNCTIONS)
def test_every_stub_function_raises_not_implemented(name):
    ns = namespace_of(stub_source())
    arity = len(inspect.signature(ns[name]).parameters)
    with pytest.raises(NotImplementedError):
        ns[name](*([None] * arity))


def test_stub_bodies_are_the_nbgrader_placeholder():
    tree = ast.parse(stub_source())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in spec.FUNCTIONS:
            body = node.body[1:]                 # after the docstring
            assert len(body) == 1 and ast.unparse(body[0]) == "raise NotImplementedError()", node.name
    assert stub_source().count("# YOUR CODE HERE") == len(spec.FUNCTIONS)


def test_stub_holds_no_solution_code():
    """Does no line of any reference function's body appear in the stub?"""
    stub_lines = {line.split("#")[0].strip() for line in stub_source().splitlines()}
    for name in spec.FUNCTIONS:
        leaked = _body_lines(getattr(solutions, name)) & stub_lines
        assert not leaked, (name, leaked)


def test_stub_provides_the_stable_sigmoid():
    ns = namespace_of(stub_source())
    x = np.linspace(-800, 800, 41)
    np.testing.assert_array_equal(ns["sigmoid"](x), solutions.sigmoid(x))


# ---------------------------------------------------------------------------
# compose and the override header

def test_compose_appends_and_later_definitions_win():
    override = '''"""A helper and two functions."""


def _double(v):
    return 2.0 * v


def chain_product(factors):
    return _double(len(factors))


def clip_grad_value(grads, clip_value):
    return "mine"
'''
    ns = namespace_of(compose(override))
    assert ns["chain_product"]([1, 2, 3]) == 6.0
    assert ns["clip_grad_value"]({}, 1.0) == "mine"
    assert ns["max_activation_derivative"]("tanh") == 1.0          # the rest is the reference
    ns = namespace_of(compose(override, base="stub"))
    assert ns["chain_product"]([1]) == 2.0
    with pytest.raises(NotImplementedError):
        ns["decay_rate"]([1.0, 2.0])


def test_compose_reads_paths():
    path = BUGS[0]
    assert compose(path) == compose(str(path)) == compose(path.read_text()).replace(
        "# Override: override", f"# Override: {path.name}")


def test_compose_rejects_an_unknown_base():
    with pytest.raises(ValueError):
        compose("x = 1\n", base="solutions")
    assert base_source("stub") == stub_source()


def test_read_header():
    header = read_header('"""Two bugs.\n\nexpect: q1, q3\nalso: q2\nhint: tanh\nhint q3: steps back\n"""\n')
    assert header.summary == "Two bugs."
    assert header.expect == ("q1", "q3") and header.also == ("q2",)
    assert header.hints == {"q1": "tanh", "q3": "steps back"}
    correct = read_header('"""Einsum.\n\nexpect: none\n"""\n')
    assert correct.expect == () and correct.hints == {}


@pytest.mark.parametrize("text", [
    '"""No expect line.\n\nhint: x\n"""\n',
    '"""Unknown question.\n\nexpect: q9\nhint: x\n"""\n',
    '"""No hint.\n\nexpect: q1\n"""\n',
    '"""Hint for a question not expected.\n\nexpect: q1\nhint q2: x\nhint: y\n"""\n',
    '"""Both expected and allowed.\n\nexpect: q1\nalso: q1\nhint: x\n"""\n',
    'x = 1\n',
], ids=["no-expect", "unknown-id", "no-hint", "stray-hint", "overlap", "no-docstring"])
def test_read_header_rejects_malformed_headers(text):
    with pytest.raises(ValueError):
        read_header(text)


# ---------------------------------------------------------------------------
# Notebooks

def _fingerprint(function):
    """What a function's code does, independent of the compiler's choice of opcodes.

    The same source can compile to different opcodes in different modules
    (LOAD_ATTR or LOAD_METHOD for np.tanh), so compare names and constants
    in order, and the argument names. A functools.partial is its function
    and its bound arguments."""
    if isinstance(function, functools.partial):
        return (_fingerprint(function.func), tuple(map(repr, function.args)),
                tuple(sorted((k, repr(v)) for k, v in function.keywords.items())))
    code = getattr(function, "__code__", function)
    values = tuple(_fingerprint(i.argval) if inspect.iscode(i.argval) else repr(i.argval)
                   for i in dis.get_instructions(code) if i.arg is not None
                   and not i.opname.startswith(("JUMP", "POP_JUMP", "FOR_ITER", "SEND")))
    return code.co_varnames, values


def _exec_cells(nb):
    ns = {"__name__": "notebook"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "cell", "exec"), ns)
    return ns


def test_notebook_is_valid_nbformat_v4_with_a_python_kernel(tmp_path):
    nb = to_notebook(reference_source())
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    path = write_notebook(nb, tmp_path / "sub" / "student.ipynb")
    again = nbformat.read(path, as_version=4)
    nbformat.validate(again)
    assert notebook_code(again) == notebook_code(nb)


def test_notebook_has_a_title_and_one_code_cell_per_part():
    nb = to_notebook(reference_source())
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown"] + ["markdown", "code"] * len(PARTS)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for part, cell in zip(PARTS, code_cells):
        defined = {n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)}
        assert set(part.functions) <= defined, part.title
        assert not (defined & set(spec.FUNCTIONS)) - set(part.functions), part.title


@pytest.mark.parametrize("source", ["reference", "stub"])
def test_notebook_cells_define_the_same_functions_as_the_module(source):
    text = base_source(source)
    module, notebook = namespace_of(text), _exec_cells(to_notebook(text))
    for name in spec.FUNCTIONS:
        assert _fingerprint(notebook[name]) == _fingerprint(module[name]), name


@pytest.mark.parametrize("path", BUGS + CORRECT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_notebook_of_a_composed_submission_keeps_the_override(path):
    """Whatever an override defines, do the notebook's cells end with the same functions?"""
    text = compose(path)
    module, notebook = namespace_of(text), _exec_cells(to_notebook(text))
    for name in spec.FUNCTIONS + ("sigmoid",):
        assert _fingerprint(notebook[name]) == _fingerprint(module[name]), name


def test_notebook_keeps_a_redefinition_after_the_original():
    """An override's own sigmoid, written before a Part 0 function: does it still win?"""
    override = (
        '"""Own sigmoid first."""\n\n\n'
        "def sigmoid(x):\n"
        "    return np.full(np.shape(x), 0.5)\n\n\n"
        "def chain_product(factors):\n"
        "    return 2.0\n"
    )
    ns = _exec_cells(to_notebook(compose(override)))
    assert ns["sigmoid"](np.zeros(3)).tolist() == [0.5, 0.5, 0.5]
    assert ns["chain_product"]([]) == 2.0


# ---------------------------------------------------------------------------
# Samples

def test_materialize_writes_every_sample(tmp_path):
    paths = materialize(tmp_path / "submissions")
    assert [p.name for p in paths] == [s.filename for s in SAMPLES]
    assert len({p.stem for p in paths}) == len(paths)
    for path in paths:
        text = path.read_text()
        assert str(REPO) not in text and str(tmp_path) not in text
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            namespace_of(notebook_code(nb))
        else:
            namespace_of(text)


def test_samples_cover_the_demo():
    """Correct .py and .ipynb, buggy .py and .ipynb, the stub; every override exists."""
    kinds = {(s.notebook, s.override is None, s.base) for s in SAMPLES}
    assert {(False, True, "reference"), (True, True, "reference"), (False, False, "reference"),
            (True, False, "reference"), (False, True, "stub")} <= kinds
    for sample in SAMPLES:
        if sample.override:
            assert sample.override_path.is_file()
    readme = (SAMPLES_DIR / "README.md").read_text()
    for sample in SAMPLES:
        assert sample.filename in readme
        if sample.override:
            assert sample.override in readme


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.student)
def test_sample_gets_the_grade_its_readme_promises(sample, tmp_path):
    from autograder.grading import grade_source

    path = sample.write(tmp_path)
    source = notebook_code(nbformat.read(path, as_version=4)) if sample.notebook else path.read_text()
    grade = grade_source(source, sample.student)
    scores = {q.id: (q.score, q.max_score, q.feedback) for q in grade.questions}
    if sample.base == "stub":
        assert grade.score == 0
        return
    if sample.override is None:
        assert grade.score == grade.max_score
        return
    header = read_header(sample.override_path)
    for qid, (score, max_score, feedback) in scores.items():
        if qid in header.expect:
            assert score < max_score, qid
            assert header.hints[qid].lower() in "\n".join(feedback).lower(), (qid, feedback)
        elif qid not in header.also:
            assert score == max_score, (qid, feedback)
