"""Removes the import guard, then lets torch compute the gradients.

Trick: at import, drops every finder it did not expect from sys.meta_path
(the grader's import guard), forgets cached module entries, and then imports
torch in rnn_step_backward (torch.autograd of the step, on the zeros
forward's cache). It also asks the path finder directly and walks sys.path
for a torch folder. In the namespace modes torch's folders are hidden from
the child, so the import finds nothing usable; only mode "none" relies on
the guard alone (README).
"""
import importlib.machinery
import os
import sys

import numpy as np

_KNOWN = (importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter,
          importlib.machinery.PathFinder)
sys.meta_path[:] = [f for f in sys.meta_path if f in _KNOWN or isinstance(f, _KNOWN)]
for _name in [n for n in sys.modules if n.split(".")[0] == "torch"]:
    del sys.modules[_name]
importlib.invalidate_caches()


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def rnn_step_backward(dh_next, cache):
    import torch
    x, h_prev, W_xh, W_hh = (torch.tensor(a, requires_grad=True) for a in cache[:4])
    b_h = torch.zeros(W_hh.shape[0], dtype=W_hh.dtype, requires_grad=True)
    h_next = torch.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)
    grads = torch.autograd.grad(h_next, (x, h_prev, W_xh, W_hh, b_h), torch.tensor(dh_next))
    return tuple(g.numpy() for g in grads)


def probe():
    """What the child can find of torch once the guard is gone."""
    out = {"guard_left": [type(f).__name__ for f in sys.meta_path if not isinstance(f, _KNOWN)
                          and f not in _KNOWN]}
    spec = importlib.machinery.PathFinder.find_spec("torch")
    out["spec_origin"] = None if spec is None else spec.origin
    out["folders"] = {}
    for p in sys.path:
        d = os.path.join(p or ".", "torch")
        if os.path.isdir(d):
            out["folders"][d] = sorted(os.listdir(d))[:5]
    try:
        import torch
        out["import"] = "ok"
        out["autograd"] = hasattr(torch, "autograd")
    except ImportError as exc:
        out["import"] = type(exc).__name__
    return out
