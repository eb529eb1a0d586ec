"""The checks' per-process work, done ahead: ``prime()``.

Each check builds its cases' inputs and the answer key's results on first
use and keeps them for the process (``lru_cache`` keyed by the active
oracle.Mode). The first submission a process grades would compute them
while it is being graded, on the critical path of its result; a Gradescope
or PrairieLearn container grades exactly one. ``grading.prepare`` calls
``prime()`` while that submission's child starts and runs its notebook, so
the work overlaps the child's. Nothing here decides a grade: the checks
get the same values from their caches as they would compute.
"""

from . import _COSTED, _SATURATED, cost, layers, oracle, q3_gradient_flow, saturated


def prime():
    """Fill the checks' caches for the active mode (a second call costs nothing)."""
    mode = oracle.current()
    for layer in _COSTED:                 # the six layers of the contract
        for sizes in mode.profile.shapes:
            layers.reference(layer, sizes)
            layers._variant_outputs(layer, sizes, mode)
        if mode.profile.cost:
            cost.reference_seconds(layer, cost.cost_sizes(layer))
            if layer.sequence and layer.step is not None:
                layers.reference(layer.step, cost.one_step(cost.cost_sizes(layer)))
    for layer in _SATURATED:
        hot, sizes = saturated.saturated_layer(layer), saturated.case_sizes(layer)
        layers.reference(hot, sizes)
        layers._variant_outputs(hot, sizes, mode)
    for sizes in mode.profile.shapes:
        q3_gradient_flow._jacobian_case(sizes, mode)
        q3_gradient_flow._norms_case(sizes, mode)
