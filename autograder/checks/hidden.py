"""The hidden cases and the hidden oracle: what ``rnngrade grade`` checks with.

This module is never shipped with the public checks (autograder/public
leaves it out): it holds the hidden profile and the only import of the
answer key (``solutions``) in the checks, done lazily in HiddenOracle.
"""

import functools
import time

import numpy as np

from ..cases import Sizes
from .oracle import FORWARDS, CacheToken, Mode, digest
from .profile import Profile


# Shapes every function meets: N=1, T=1, H=1, D == H, D != H, T > 5, T >= 8;
# N=1 and T=1 also with H > 1, so a failure "only when N > 1" or "only when
# T > 1" can be told apart from one that needs vectors rather than scalars.
SHAPES = (
    Sizes(N=2, T=3, D=4, H=5),
    Sizes(N=3, T=6, D=4, H=4),
    Sizes(N=1, T=1, D=1, H=1),
    Sizes(N=4, T=9, D=2, H=3),
    Sizes(N=1, T=4, D=3, H=2),
    Sizes(N=2, T=1, D=3, H=2),
)


def _steps_back(T=9):
    return np.arange(T)[::-1]


def _kinked(rng):
    return np.concatenate([0.5 ** np.arange(5)[::-1] * 0.5 ** 4, np.ones(4)])


HIDDEN = Profile(
    name="hidden",
    shapes=SHAPES,
    factor_cases=(
        ("seed factors 0.9 ... 0.3", lambda rng: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]),
        ("seed factors 1.1 ... 1.7", lambda rng: [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]),
        ("one factor", lambda rng: [0.37]),
        ("random factors around 1", lambda rng: list(rng.uniform(0.5, 1.5, size=20))),
        ("factors as an array", lambda rng: rng.uniform(0.8, 1.2, size=12)),
    ),
    activations=("tanh", "sigmoid", "relu"),
    bptt_decay_rates=(0.7, 1.3),
    exact_norm_rates=(0.6, 1.25),
    ratio_bound_gains=(1.5, 0.5),
    decay_cases=(
        ("geometric, rate 0.8", lambda rng: 3.0 * 0.8 ** _steps_back(), 0.8),
        ("geometric, rate 1.5", lambda rng: 0.2 * 1.5 ** _steps_back(), 1.5),
        ("two norms", lambda rng: np.array([0.25, 1.0]), 0.25),
        ("noisy", lambda rng: 2.0 * 0.9 ** _steps_back() * np.exp(0.3 * rng.standard_normal(9)), None),
        ("not geometric", _kinked, None),
    ),
    clip_norm_cases=(
        ("global norm below max_norm", "small", 5.0),
        ("global norm above max_norm", "large", 1.0),
        ("global norm far above max_norm", "huge", 10.0),
        ("max_norm between the arrays' own norms", "large", 8.0),
    ),
    clip_value_cases=(("values inside the range", "small", 1.0), ("values outside the range", "large", 0.5)),
    behaviours=True,
    saturated=True,
    cost=True,
    chained=True,
)


class HiddenOracle:
    """The answer key itself; a forward's cache stays here behind a CacheToken."""

    def __init__(self):
        self._caches = {}

    @staticmethod
    def _function(name):
        import solutions           # the one place the checks reach the answer key
        return getattr(solutions, name)

    def _real(self, args):
        return [self._caches[a.digest] if isinstance(a, CacheToken) else a for a in args]

    def call(self, name, *args):
        value = self._function(name)(*self._real(args))
        if name in FORWARDS:
            token = CacheToken(digest(name, args))
            self._caches[token.digest] = value[-1]
            value = (*value[:-1], token)
        return value

    def seconds(self, backward, *args):
        """The answer key's backward on these arguments, best of 3 runs, in seconds."""
        function, real = self._function(backward), self._real(args)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            function(*real)
            best = min(best, time.perf_counter() - start)
        return best


@functools.lru_cache(maxsize=None)
def mode():
    """The hidden Mode, one per process (so the checks' caches are shared)."""
    return Mode(HIDDEN, HiddenOracle())


__all__ = ["HIDDEN", "HiddenOracle", "Sizes", "mode"]
