"""The catalogue of fixture submissions: are bugs caught where they live, and
do correct variants keep full marks?

tests/files/bugs/*.py and tests/files/correct/*.py are override files (see
autograder/submissions.py for their docstring form), composed on the
reference. Two kinds of test read them:

- oracle tests, independent of the autograder's checks: a small comparison
  with the answer key and with central differences here decides that each
  bug really is wrong in the question it names, and that each correct
  variant really is correct (so a grading failure below is the checks'
  defect, not the fixture's);
- grading tests: ``grade_source(compose(fixture))`` must take points off
  the expected questions, with the hint in their feedback, and leave every
  question the fixture does not name at full marks.
"""

from pathlib import Path

import numpy as np
import pytest

import solutions
from autograder import gradcheck, spec
from autograder.student import changed_paths, snapshot
from autograder.submissions import compose, read_header, reference_source, stub_source

FILES = Path(__file__).parent / "files"
BUGS = sorted((FILES / "bugs").glob("*.py"))
CORRECT = sorted((FILES / "correct").glob("*.py"))


def namespace_of(source, name="submission"):
    ns = {"__name__": name}
    exec(compile(source, name, "exec"), ns)
    return ns


# ---------------------------------------------------------------------------
# The oracle: compare a namespace's functions with the answer key.

FORWARD_TOL = spec.FORWARD_TOL
GRADIENT_TOL = spec.GRADIENT_TOL
# (N, T, D, H): D != H, D == H, a single step and sample, T == 1 with D == H.
SHAPES = ((2, 3, 4, 5), (3, 4, 5, 5), (1, 1, 2, 3), (2, 1, 3, 3))


def _differs(actual, desired, tol):
    """Why actual is not desired (None when it matches): shape, dtype, values."""
    if isinstance(desired, dict):
        if not isinstance(actual, dict) or set(actual) != set(desired):
            return "keys differ"
        for key in desired:
            why = _differs(actual[key], desired[key], tol)
            if why:
                return f"[{key!r}] {why}"
        return None
    if isinstance(desired, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(desired):
            return "not a tuple of the right length"
        for index, (a, d) in enumerate(zip(actual, desired)):
            why = _differs(a, d, tol)
            if why:
                return f"[{index}] {why}"
        return None
    a = np.asarray(actual)
    d = np.asarray(desired)
    if a.shape != d.shape:
        return f"shape {a.shape} != {d.shape}"
    if isinstance(desired, np.ndarray) and a.dtype != np.float64:
        return f"dtype {a.dtype}"
    err = gradcheck.rel_error(a, d)
    return None if err < tol else f"rel error {err:.2e}"


class Oracle:
    """Runs one namespace's functions next to the answer key's; collects failures."""

    def __init__(self, ns):
        self.ns = ns
        self.failures = {}          # function -> list of reasons

    def fail(self, function, reason):
        self.failures.setdefault(function, []).append(reason)

    def call(self, function, *args):
        """The student's result (None after recording a failure)."""
        before = [snapshot(a) for a in args]
        try:
            out = self.ns[function](*args)
        except Exception as exc:    # the submission's error, recorded
            self.fail(function, f"raised {type(exc).__name__}: {exc}")
            return None
        for index, (b, a) in enumerate(zip(before, args)):
            if changed_paths(b, a, f"arg {index}"):
                self.fail(function, f"modified argument {index}")
        return out

    def compare(self, function, actual, desired, tol):
        if actual is None:
            return
        why = _differs(actual, desired, tol)
        if why:
            self.fail(function, why)

    def expect_error(self, function, exc_type, *args):
        try:
            self.ns[function](*args)
        except exc_type:
            return
        except Exception as exc:    # a different exception is a failure too
            self.fail(function, f"raised {type(exc).__name__} instead of {exc_type.__name__}")
            return
        self.fail(function, f"did not raise {exc_type.__name__} for {args!r:.60}")


def _params(keys, H, D, rng, scale=0.5):
    return {k: scale * rng.standard_normal((H, H + D) if k.startswith("W") else H) for k in keys}


def _check_products(o):
    for factors in ([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7],
                    [], np.array([2.0, -0.5, 3.0])):
        o.compare("chain_product", o.call("chain_product", factors), solutions.chain_product(factors), 1e-12)
    for name in ("tanh", "sigmoid", "relu"):
        o.compare("max_activation_derivative", o.call("max_activation_derivative", name),
                  solutions.max_activation_derivative(name), 1e-12)
    o.expect_error("max_activation_derivative", ValueError, "softmax")


def _check_rnn(o, rng, N, T, D, H):
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = (0.5 * rng.standard_normal(s) for s in ((H, D), (H, H), (H,)))
    dh = rng.standard_normal((N, T, H))
    out = o.call("rnn_step_forward", x[:, 0], h0, W_xh, W_hh, b_h)
    ref_h, ref_cache = solutions.rnn_step_forward(x[:, 0], h0, W_xh, W_hh, b_h)
    if out is not None:
        o.compare("rnn_step_forward", out[0], ref_h, FORWARD_TOL)
    back = o.call("rnn_step_backward", dh[:, 0], ref_cache if out is None else out[1])
    o.compare("rnn_step_backward", back, solutions.rnn_step_backward(dh[:, 0], ref_cache), GRADIENT_TOL)
    out = o.call("rnn_forward", x, h0, W_xh, W_hh, b_h)
    ref_h, ref_cache = solutions.rnn_forward(x, h0, W_xh, W_hh, b_h)
    if out is not None:
        o.compare("rnn_forward", out[0], ref_h, FORWARD_TOL)
    back = o.call("rnn_backward", dh, ref_cache if out is None else out[1])
    o.compare("rnn_backward", back, solutions.rnn_backward(dh, ref_cache), GRADIENT_TOL)
    if back is not None and not (o.failures.get("rnn_backward") or o.failures.get("rnn_forward")):
            _directional(o, "rnn_backward", rng,
                         lambda a: o.ns["rnn_forward"](a["x"], a["h0"], a["W_xh"], a["W_hh"], a["b_h"])[0],
                         {"x": x, "h0": h0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}, dh,
                         dict(zip(("x", "h0", "W_xh", "W_hh", "b_h"), back)))
    # Part 2 on the same shapes.
    h_next = np.tanh(rng.standard_normal((N, H)))
    o.compare("hidden_jacobian", o.call("hidden_jacobian", h_next, W_hh),
              solutions.hidden_jacobian(h_next, W_hh), FORWARD_TOL)
    o.compare("gradient_norms_through_time",
              o.call("gradient_norms_through_time", x, h0, W_xh, W_hh, b_h, dh[:, -1]),
              solutions.gradient_norms_through_time(x, h0, W_xh, W_hh, b_h, dh[:, -1]), FORWARD_TOL)


def _directional(o, function, rng, forward, arrays, dout, grads):
    """The student's backward against central differences of the student's forward."""
    numeric, analytic = gradcheck.directional_check(
        lambda a: float(np.sum(forward(a) * dout)), arrays, grads, rng)
    err = gradcheck.rel_error(numeric, analytic)
    if err > GRADIENT_TOL:
        o.fail(function, f"directional derivative off by {err:.1e}")


def _check_decay_rate(o, rng):
    for norms in (np.exp(rng.standard_normal(6)), 3.0 * 0.7 ** np.arange(8)[::-1],
                  np.array([2.0, 1.0]), np.linspace(1.0, 5.0, 5)):
        o.compare("decay_rate", o.call("decay_rate", norms), solutions.decay_rate(norms), 1e-9)
    for bad in ([1.0], [1.0, 0.0], [2.0, -1.0], [1.0, np.nan]):
        o.expect_error("decay_rate", ValueError, np.array(bad))


def _check_gated(o, rng, kind, N, T, D, H):
    keys = spec.LSTM_PARAM_KEYS if kind == "lstm" else spec.GRU_PARAM_KEYS
    params = _params(keys, H, D, rng)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))
    ref = solutions
    if kind == "lstm":
        c0, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
        out = o.call("lstm_step_forward", x[:, 0], h0, c0, params)
        ref_h, ref_c, ref_cache = ref.lstm_step_forward(x[:, 0], h0, c0, params)
        if out is not None:
            o.compare("lstm_step_forward", tuple(out[:2]), (ref_h, ref_c), FORWARD_TOL)
        o.compare("lstm_step_backward",
                  o.call("lstm_step_backward", dh[:, 0], dc, ref_cache if out is None else out[2]),
                  ref.lstm_step_backward(dh[:, 0], dc, ref_cache), GRADIENT_TOL)
    else:
        out = o.call("gru_step_forward", x[:, 0], h0, params)
        ref_h, ref_cache = ref.gru_step_forward(x[:, 0], h0, params)
        if out is not None:
            o.compare("gru_step_forward", out[0], ref_h, FORWARD_TOL)
        o.compare("gru_step_backward",
                  o.call("gru_step_backward", dh[:, 0], ref_cache if out is None else out[1]),
                  ref.gru_step_backward(dh[:, 0], ref_cache), GRADIENT_TOL)
    forward, backward = f"{kind}_forward", f"{kind}_backward"
    out = o.call(forward, x, h0, params)
    ref_h, ref_cache = getattr(ref, forward)(x, h0, params)
    if out is not None:
        o.compare(forward, out[0], ref_h, FORWARD_TOL)
    back = o.call(backward, dh, ref_cache if out is None else out[1])
    o.compare(backward, back, getattr(ref, backward)(dh, ref_cache), GRADIENT_TOL)
    if back is not None and not (o.failures.get(backward) or o.failures.get(forward)):
        arrays = {"x": x, "h0": h0, **params}
        grads = {"x": back[0], "h0": back[1], **back[2]}
        _directional(o, backward, rng,
                     lambda a: o.ns[forward](a["x"], a["h0"], {k: a[k] for k in keys})[0],
                     arrays, dh, grads)


def _check_clipping(o, rng):
    grads = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(3), "s": np.array(2.0)}
    for max_norm in (0.5, 1e3):
        o.compare("clip_grad_norm", o.call("clip_grad_norm", grads, max_norm),
                  solutions.clip_grad_norm(grads, max_norm), GRADIENT_TOL)
    for bad in (0.0, -1.0):            # SPEC.md: "ValueError when max_norm <= 0"
        o.expect_error("clip_grad_norm", ValueError, snapshot(grads), bad)
    o.expect_error("clip_grad_norm", ValueError, {"W": np.array([1.0, np.nan])}, 1.0)
    o.expect_error("clip_grad_norm", ValueError, {"W": np.array([1.0, np.inf])}, 1.0)
    for value in (0.3, 10.0):
        o.compare("clip_grad_value", o.call("clip_grad_value", grads, value),
                  solutions.clip_grad_value(grads, value), 1e-12)
    for bad in (0.0, -1.0):
        o.expect_error("clip_grad_value", ValueError, snapshot(grads), bad)


def _check_saturated(o):
    """Pre-activations near +-1e3 (weights and biases x 1000): an overflow-safe tanh and
    sigmoid give the answer key's values (a separate generator: the draws above stay)."""
    rng = np.random.default_rng(4321)
    N, D, H = 3, 4, 5
    x, h0, c0 = rng.standard_normal((N, 2, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    W_xh, W_hh, b_h = (1000.0 * rng.standard_normal(s) for s in ((H, D), (H, H), (H,)))
    calls = [("rnn_step_forward", (x[:, 0], h0, W_xh, W_hh, b_h), 1)]
    for kind, keys, n in (("lstm", spec.LSTM_PARAM_KEYS, 2), ("gru", spec.GRU_PARAM_KEYS, 1)):
        params = _params(keys, H, D, rng, scale=1000.0)
        step = (x[:, 0], h0, c0, params) if kind == "lstm" else (x[:, 0], h0, params)
        calls += [(f"{kind}_step_forward", step, n), (f"{kind}_forward", (x, h0, params), 1)]
    for function, args, n in calls:
        out = o.call(function, *args)
        if out is not None:
            o.compare(function, tuple(out[:n]), tuple(getattr(solutions, function)(*args)[:n]), FORWARD_TOL)


def oracle_failures(ns):
    """Contract function -> reasons it differs from the answer key (empty: all correct)."""
    o = Oracle(ns)
    rng = np.random.default_rng(1234)
    with np.errstate(all="ignore"):
        _check_products(o)
        for shape in SHAPES:
            _check_rnn(o, rng, *shape)
            _check_gated(o, rng, "lstm", *shape)
            _check_gated(o, rng, "gru", *shape)
        _check_decay_rate(o, rng)
        _check_clipping(o, rng)
        _check_saturated(o)
    return o.failures


def failing_questions(failures):
    return {spec.question_of(f) for f in failures}


# ---------------------------------------------------------------------------
# Fixture files themselves

def test_catalogue_sizes():
    """Are there at least 40 bugs and 10 correct variants, each with a unique name?"""
    assert len(BUGS) >= 40
    assert len(CORRECT) >= 10


@pytest.mark.parametrize("path", BUGS + CORRECT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_header_is_well_formed(path):
    """Does every fixture start with the machine-readable docstring?"""
    header = read_header(path)
    assert header.summary
    if path.parent.name == "bugs":
        assert header.expect and set(header.hints) == set(header.expect)
    else:
        assert header.expect == () and header.also == () and header.hints == {}


def test_oracle_passes_the_reference_and_fails_the_stub():
    """Is the oracle itself sound: nothing wrong with the reference, everything with the stub?"""
    assert oracle_failures(namespace_of(reference_source())) == {}
    assert set(oracle_failures(namespace_of(stub_source()))) == set(spec.FUNCTIONS)


@pytest.mark.parametrize("path", BUGS, ids=lambda p: p.stem)
def test_bug_is_really_wrong_where_it_says(path):
    """Does each bug differ from the answer key in its expected questions, and
    nowhere outside expect + also?"""
    header = read_header(path)
    failures = oracle_failures(namespace_of(compose(path)))
    questions = failing_questions(failures)
    assert set(header.expect) <= questions, failures
    assert questions <= set(header.expect) | set(header.also), failures


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_is_really_correct(path):
    """Does each correct variant match the answer key and its own central differences?"""
    assert oracle_failures(namespace_of(compose(path))) == {}


# ---------------------------------------------------------------------------
# Grading the catalogue

def _grade(source):
    from autograder.grading import grade_source
    return grade_source(source)


def _by_id(grade):
    return {q.id: q for q in grade.questions}


def assert_every_lost_point_is_explained(grade):
    """A function that lost points says why: a finding under its head line
    that is more than a hint (students are never surprised)."""
    for name, f in grade.functions.items():
        if f.score < f.max_score:
            reasons = [line for line in f.feedback[1:] if line.strip() and not line.startswith("Hint:")]
            assert reasons, f"{name} lost {f.max_score - f.score} points without a message: {f.feedback}"


@pytest.mark.parametrize("path", BUGS, ids=lambda p: p.stem)
def test_bug_is_caught_on_its_question_with_its_hint(path):
    """Does the bug cost points where it lives, say why, and cost nothing elsewhere?"""
    header = read_header(path)
    grade = _grade(compose(path))
    assert_every_lost_point_is_explained(grade)
    questions = _by_id(grade)
    for qid in header.expect:
        q = questions[qid]
        assert q.score < q.max_score, f"{qid} kept full marks; feedback: {q.feedback}"
        hint = header.hints[qid]
        assert hint.lower() in "\n".join(q.feedback).lower(), f"{qid} feedback lacks {hint!r}: {q.feedback}"
    for qid, q in questions.items():
        if qid not in header.expect and qid not in header.also:
            assert q.score == q.max_score, f"{qid} lost points: {q.feedback}"


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_gets_full_marks(path):
    """Does a correct solution written differently get every point?"""
    grade = _grade(compose(path))
    lost = {q.id: q.feedback for q in grade.questions if q.score != q.max_score}
    assert lost == {}
    assert grade.score == grade.max_score


def test_reference_gets_full_marks():
    grade = _grade(reference_source())
    assert grade.score == grade.max_score == spec.MAX_SCORE


# (tests/files/not_backprop/ is graded in the sandbox only: in this process
# nothing stops its minutes-long numerical gradients; test_cost.py has it.)
@pytest.mark.parametrize("path", sorted((FILES / "penalised").glob("*.py")), ids=lambda p: p.stem)
def test_penalised_variants_explain_every_lost_point(path):
    assert_every_lost_point_is_explained(_grade(compose(path)))


def test_stub_gets_zero_on_every_question():
    grade = _grade(stub_source())
    assert_every_lost_point_is_explained(grade)
    assert {q.id: q.score for q in grade.questions} == {qid: 0 for qid in spec.QUESTION_IDS}
    assert grade.score == 0
