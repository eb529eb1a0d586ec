"""Which cases the checks run: a Profile, and the PUBLIC one students get.

The same check code runs under two profiles (oracle.Mode): the hidden
profile (hidden.py, not shipped: rnngrade's cases) and PUBLIC below, a few
small cases on inputs seeded in their own namespace, whose answer-key
outputs ship as recorded data (autograder/public). Every field that names
cases is a tuple, and the inputs a case needs come from ``rng`` (seeded by
the profile's salt and the case's tags) or from a ``make(rng)`` function.
"""

from dataclasses import dataclass

import numpy as np

from ..cases import Sizes, rng_for


@dataclass(frozen=True, eq=False)
class Profile:
    """The case parameters of every check.

    - name: "hidden" or "public"
    - salt: tags prepended to every seed (rng_for), () for the hidden cases
    - shapes: Sizes of the layer, Jacobian and norms cases
    - factor_cases: (name, make(rng) -> factors) for chain_product (one rng, in order)
    - activations: names whose max_activation_derivative value is checked
    - bptt_decay_rates: the a of rnn_backward's x = 0, W_hh = a*Q cases
    - exact_norm_rates: the same for gradient_norms_through_time
    - ratio_bound_gains: gradient_norms_through_time's sigma_max bound cases
    - decay_cases: (name, make(rng) -> norms, exact rate or None) for decay_rate
    - clip_norm_cases: (name, grads kind, max_norm) for clip_grad_norm
    - clip_value_cases: (name, grads kind, clip_value) for clip_grad_value
    - behaviours: the LSTM keeps-gradient and GRU passes-through cases
    - saturated: the saturated cases (checks/saturated.py)
    - cost: the cost cases (checks/cost.py)
    - chained: the credits and hints that chain the student's (or the answer
      key's) step functions over time (checks/chained.py)
    - more: (question id, what the hidden cases add in words), for the public report
    """
    name: str
    salt: tuple = ()
    shapes: tuple = ()
    factor_cases: tuple = ()
    activations: tuple = ()
    bptt_decay_rates: tuple = ()
    exact_norm_rates: tuple = ()
    ratio_bound_gains: tuple = ()
    decay_cases: tuple = ()
    clip_norm_cases: tuple = ()
    clip_value_cases: tuple = ()
    behaviours: bool = False
    saturated: bool = False
    cost: bool = False
    chained: bool = False
    more: tuple = ()

    def rng(self, *tags):
        """The generator of one case: rng_for(*salt, *tags)."""
        return rng_for(*self.salt, *tags)


def _steps_back(T):
    return np.arange(T)[::-1]


PUBLIC = Profile(
    name="public",
    salt=("public",),
    shapes=(Sizes(N=2, T=3, D=3, H=4), Sizes(N=1, T=2, D=2, H=2)),
    factor_cases=(("three factors", lambda rng: [0.5, 2.0, 0.75]),
                  ("random factors", lambda rng: list(rng.uniform(0.6, 1.4, size=6)))),
    bptt_decay_rates=(0.8,),
    ratio_bound_gains=(0.6,),
    decay_cases=(("geometric, rate 0.7", lambda rng: 2.0 * 0.7 ** _steps_back(6), 0.7),
                 ("noisy", lambda rng: 0.8 ** _steps_back(7) * np.exp(0.2 * rng.standard_normal(7)), None),
                 ("not geometric", lambda rng: np.concatenate([0.6 ** _steps_back(4) * 0.6 ** 3, np.ones(3)]), None)),
    clip_norm_cases=(("global norm below max_norm", "small", 3.0),
                     ("global norm above max_norm", "large", 2.0)),
    clip_value_cases=(("values outside the range", "large", 0.8),),
    saturated=True,
    more=(("q0", "other factor lists, and the largest slope of each activation"),
          ("q1", "other shapes (N = 1, T = 1, D == H, ...), and whether the backward costs about one forward pass"),
          ("q2", "other shapes (longer sequences, T = 1, ...), another rate through time, and whether the "
                 "backward costs about one forward pass"),
          ("q3", "other shapes, norms that shrink or grow by an exact rate, more inputs for the sigma_max bound, "
                 "and other norms for decay_rate"),
          ("q4", "other shapes, a long sequence whose forget gates keep the gradient, and whether each backward "
                 "costs about one forward pass"),
          ("q5", "other shapes, an update gate that copies h_prev, and whether each backward costs about one "
                 "forward pass"),
          ("q6", "other gradients and limits (far above max_norm, between the arrays' own norms)")),
)
