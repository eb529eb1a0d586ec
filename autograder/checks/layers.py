"""Generic checks for a forward/backward pair (tanh RNN, LSTM, GRU).

A Layer describes one pair as data: argument names, outputs, upstream
gradients and which argument each gradient belongs to. The same two checks
then serve all six pairs of the contract:

- check_forward: the forward's outputs against the reference, per shape;
- check_backward: the student's backward, fed the cache of the student's
  own forward, against the reference gradients; when the student's forward
  is itself wrong, gradients that are the exact derivative of that forward
  (central differences along random directions) keep part of their points,
  so one bug costs points once.

For a sequence layer, one more way to cost a bug once: when its values are
wrong but equal what the student's own step functions give when chained
over time in the standard way, the sequence function itself is right and
the bug lives in the step (graded in its own question); those outputs keep
part of their points.

Both credits are for a near miss: a forward that does not use its weights
(it hands back h_prev, h0 at every step, or a constant) earns neither for
the functions built on it, however exactly they match it.
"""

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import oracle
from ..spec import CONSISTENT_BACKWARD_CREDIT, FORWARD_TOL, GRADIENT_TOL
from ..compare import as_float64
from ..gradcheck import rel_error
from .common import CaseBuilder, consistency


@dataclass(frozen=True)
class Layer:
    """A forward/backward pair of the contract, described as data.

    - forward, backward: contract names
    - args: the forward's argument names, in order
    - outputs: the forward's outputs before the cache
    - upstream: the backward's upstream-gradient arguments, one per output
    - grads: the backward's outputs, in order
    - grad_of: for each of grads, the forward argument it differentiates
    - make_inputs: (rng, Sizes) -> dict of the forward's arguments
    - sequence: outputs have a time axis (axis 1)
    """
    forward: str
    backward: str
    args: tuple
    outputs: tuple
    upstream: tuple
    grads: tuple
    grad_of: tuple
    make_inputs: Callable
    sequence: bool = False
    step: "Layer | None" = None      # the step layer a sequence layer chains
    n_state: int = 1                 # recurrent state carried: (h,) or (h, c)
    # Known mistakes of the forward, as evidence for hints: (tag, phrase, name
    # of the function of chained.py that gives that mistake's outputs from the
    # args); a wrong output that equals them gets the tag, and its message the
    # phrase (hidden checks only).
    variants: tuple = ()

    @property
    def weights(self):
        """The forward's weight arguments (W_*, b_*, params): what makes it a layer."""
        return tuple(a for a in self.args if a == "params" or a.startswith(("W_", "b_")))

    def case_rng(self, sizes):
        return oracle.current().profile.rng(self.forward, sizes.name)


def reference(layer, sizes):
    """Inputs, upstream gradients and reference results of one case (cached per Mode)."""
    return _reference(layer, sizes, oracle.current())


@functools.lru_cache(maxsize=None)
def _reference(layer, sizes, mode):
    rng = mode.profile.rng(layer.forward, sizes.name)
    inputs = layer.make_inputs(rng, sizes)
    args = [inputs[name] for name in layer.args]
    *outs, cache = mode.oracle.call(layer.forward, *args)
    upstream = [rng.standard_normal(o.shape) for o in outs]
    grads = mode.oracle.call(layer.backward, *upstream, cache)
    return args, outs, upstream, list(grads)


reference.cache_clear = _reference.cache_clear


@functools.lru_cache(maxsize=None)
def _variant_outputs(layer, sizes, mode):
    """What each known mistake of the forward (layer.variants) gives on a case's inputs."""
    if not layer.variants or not mode.profile.chained:
        return ()
    from . import chained
    args = _reference(layer, sizes, mode)[0]
    return tuple((tag, phrase, getattr(chained, mistake)(*args)) for tag, phrase, mistake in layer.variants)


def _compare(case, name, actual, expected, tol, sizes, sequence):
    if isinstance(expected, dict):
        return case.grads_dict(name, actual, expected, tol, sizes=sizes.as_dict())
    return [case.array(name, actual, expected, tol, sizes=sizes.as_dict(),
                       time_axis=1 if sequence and expected.ndim == 3 else None)]


def check_forward(student, layer, shapes=None):
    results = []
    for sizes in shapes or oracle.current().profile.shapes:
        args, outs, _, _ = reference(layer, sizes)
        variants = _variant_outputs(layer, sizes, oracle.current())
        case = CaseBuilder(layer.forward, sizes.name, features=sizes.features)
        outcome = case.call(student, layer.forward, *args, arg_names=layer.args,
                            opaque=(len(layer.outputs),))
        if outcome is not None:
            values = case.unpack(outcome.value, layer.outputs + ("cache",))
            if values is not None:
                for name, expected in zip(layer.outputs, outs):
                    _compare(case, name, values[name], expected, FORWARD_TOL, sizes, layer.sequence)
                got = [values[n] for n in layer.outputs]
                _tag_variants(case, layer, variants, got)
                if layer.step is not None and not all(v.ok for v in case.r.verdicts) \
                        and not ignores_weights(student, layer, args, got):
                    composed = _chained("compose_forward", student, layer, args)
                    _step_credit(case, layer, composed, got, outs, layer.step.forward)
        results.append(case.result())
    return results


def _tag_variants(case, layer, variants, got):
    """Tag wrong outputs that equal what a known mistake (layer.variants) gives."""
    wrong = {v.output: v for v in case.r.verdicts if v.stage == "values"}
    for tag, phrase, mistaken in variants if wrong else ():
        for name, actual, expected in zip(layer.outputs, got, mistaken):
            v, actual = wrong.get(name), as_float64(actual, np.shape(expected))
            if v is not None and actual is not None and rel_error(actual, expected) <= FORWARD_TOL:
                v.tags.add(tag)
                v.message += "; " + phrase


def run_backward(case, student, layer, args, upstream):
    """The student's backward, given the cache of the student's own forward.

    Returns (forward outputs without the cache, dict of named gradients),
    or (None, None) after recording in the case why it could not run.
    """
    fwd = case.call(student, layer.forward, *args, arg_names=layer.args, opaque=(len(layer.outputs),))
    if fwd is None:
        return None, None
    fwd_values = _unpack_quietly(fwd.value, len(layer.outputs) + 1)
    if fwd_values is None:
        case.fail(f"could not test `{layer.backward}`: `{layer.forward}` does not return "
                  f"({', '.join(layer.outputs + ('cache',))})", status="blocked")
        return None, None
    bwd = case.call(student, layer.backward, *upstream, fwd_values[-1], arg_names=layer.upstream + ("cache",))
    if bwd is None:
        return None, None
    got = case.unpack(bwd.value, layer.grads)
    return (fwd_values[:-1], got) if got is not None else (None, None)


def check_backward(student, layer, shapes=None):
    results = []
    for sizes in shapes or oracle.current().profile.shapes:
        args, outs, upstream, ref_grads = reference(layer, sizes)
        case = CaseBuilder(layer.backward, sizes.name, features=sizes.features)
        fwd_outs, got = run_backward(case, student, layer, args, upstream)
        if got is not None:
            verdicts = []
            for name, expected in zip(layer.grads, ref_grads):
                verdicts += _compare(case, name, got[name], expected, GRADIENT_TOL, sizes,
                                     layer.sequence)
            forward_right = forward_matches(fwd_outs, outs)
            case.r.forward_ok = forward_right
            if not all(v.ok for v in verdicts):
                if forward_right:        # the reference is exact, so these cannot be either
                    case.r.consistent = False
                else:
                    _consistency_credit(student, case, layer, args, upstream, got, sizes, verdicts)
            if layer.step is not None and not all(v.ok for v in verdicts) and not case.r.consistent:
                composed = _chained("compose_backward", student, layer, args, upstream)
                _step_credit(case, layer, composed, [got[n] for n in layer.grads], ref_grads,
                             layer.step.backward)
        results.append(case.result())
    return results


def _perturbed(value):
    """Weights changed in every element (dicts key by key), for ignores_weights."""
    if isinstance(value, dict):
        return {k: _perturbed(v) for k, v in value.items()}
    return 1.5 * value + 0.25


def ignores_weights(student, layer, args, got):
    """Does the student's forward give the same outputs ``got`` with other weights?

    A forward that hands back its input (h_prev, or h0 at every step) or a
    constant does not use its weights: matching it earns no credit.
    """
    changed = [_perturbed(a) if name in layer.weights else a for name, a in zip(layer.args, args)]
    out = student.call(layer.forward, *changed, opaque=(len(layer.outputs),))
    values = _unpack_quietly(out.value, len(layer.outputs) + 1) if out.ok else None
    return values is not None and all(_same(g, v, tol=1e-12) for g, v in zip(got, values))


def forward_matches(fwd_outs, outs):
    """Are the student's forward outputs the reference's values (whatever their float dtype)?

    A float32 forward with right values is right here: its dtype is charged
    in its own function, and "fix the forward first" would not be true.
    """
    return all(as_float64(a, e.shape) is not None and np.allclose(as_float64(a), e, rtol=1e-7, atol=1e-9)
               for a, e in zip(fwd_outs, outs))


def _unpack_quietly(value, n):
    if isinstance(value, (tuple, list)) and len(value) == n:
        return list(value)
    return None


def _consistency_credit(student, case, layer, args, upstream, got, sizes, verdicts):
    """Credit gradients that are the exact derivative of the student's own (wrong) forward."""
    grad_for_arg = {of: got[name] for name, of in zip(layer.grads, layer.grad_of)}
    names_for_arg = dict(zip(layer.grad_of, layer.grads))
    grads = [grad_for_arg.get(a) for a in layer.args]
    names = [names_for_arg.get(a) for a in layer.args]
    agree = consistency(student, layer.forward, list(args), names, upstream, grads,
                        oracle.current().profile.rng("consistency", layer.backward, sizes.name))
    wrong = [v.output for v in verdicts if not v.ok]
    if wrong and all(agree.get(w) for w in wrong):
        case.r.consistent = True
        weight_grads = [a for name, of in zip(layer.grads, layer.grad_of) if of in layer.weights
                        for a in _flat(got[name])]
        if not any(np.any(a) for a in weight_grads):
            # Every weight gradient is zero and exact: the forward ignores its weights
            # (it passes its input through, or returns a constant). Nothing to keep.
            case.r.messages.append(
                f"`{layer.backward}` is the exact derivative of your `{layer.forward}`, but that forward "
                f"does not use its weights (it hands back its input or a constant), so there is nothing "
                f"to keep yet: write the forward's equations first")
            return
        for v in verdicts:
            # An all-zero gradient is the exact derivative of a forward that ignores
            # that input: it earns nothing (else zeros everywhere would score).
            if not v.ok and "zero" not in v.tags:
                case.give_credit(v.output, CONSISTENT_BACKWARD_CREDIT)
        case.r.messages.append(
            f"`{layer.backward}` is the exact derivative of your `{layer.forward}`, so it keeps "
            f"part of its points: fix the forward first")
    else:
        case.r.consistent = False


def _flat(value):
    """Arrays of an output, a dict's values in key order, for comparisons."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return [value]


def _same(a, b, tol=1e-9):
    fa, fb = _flat(a), _flat(b)
    if len(fa) != len(fb):
        return False
    for x, y in zip(fa, fb):
        x, y = as_float64(x), as_float64(y, np.shape(x))
        if x is None or y is None:
            return False
        if np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0) > tol:
            return False
    return True


def _step_credit(case, layer, composed, got, expected, step_function):
    """Credit sequence outputs that are wrong only because the student's step is."""
    if composed is None:
        return
    if not all(_same(c, g) for c, g in zip(composed, got)):
        return
    if all(_same(c, e, tol=1e-7) for c, e in zip(composed, expected)):
        return                                   # the step is right: nothing to excuse
    if any("zero" in v.tags for v in case.r.verdicts):
        return                                   # chaining a step that returns zeros earns nothing
    for v in case.r.verdicts:
        if not v.ok:
            case.give_credit(v.output, CONSISTENT_BACKWARD_CREDIT)
    case.r.consistent = True
    case.r.messages.append(f"`{case.r.function}` matches what your `{step_function}` gives when chained over "
                           f"time, so it is off only because `{step_function}` is: fix that first; "
                           "it keeps part of its points")


def _chained(kind, student, layer, *args):
    """What the student's step functions give when chained over time (chained.py's
    ``kind``), or None: the hidden checks only, as chaining steps is how a
    sequence function is written (the public bundle leaves chained.py out)."""
    if not oracle.current().profile.chained:
        return None
    from . import chained
    return getattr(chained, kind)(student, layer, *args)
