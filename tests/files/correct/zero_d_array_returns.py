"""0-d numpy arrays where SPEC.md says float: chain_product multiplies into np.array(1.0) in place, decay_rate squeezes a (1,) lstsq slope, clip_grad_norm takes the square root in place.

expect: none
"""


def chain_product(factors):
    result = np.array(1.0)
    for f in factors:
        result *= f
    return result


def decay_rate(norms):
    norms = np.asarray(norms, dtype=np.float64)
    if len(norms) < 2 or not np.all(np.isfinite(norms)) or np.any(norms <= 0):
        raise ValueError("decay_rate needs two or more positive finite norms")
    k = np.arange(len(norms) - 1, -1, -1, dtype=np.float64)
    y = np.log(norms)
    slope = np.linalg.lstsq((k - k.mean())[:, None], y - y.mean(), rcond=None)[0]   # shape (1,)
    return np.exp(slope).squeeze()


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total_sq = np.zeros(())
    for g in grads.values():
        total_sq += np.sum(g ** 2)
    total_norm = np.sqrt(total_sq, out=total_sq)
    if not np.isfinite(total_norm):
        raise ValueError("total norm is not finite")
    clipped = {}
    for k, g in grads.items():
        clipped[k] = g * (max_norm / total_norm) if total_norm > max_norm else g.copy()
    return clipped, total_norm
