"""Removes the import guard, then lets torch compute the gradients.

Trick: at import, drops every finder it did not expect from sys.meta_path
(the grader's import guard), forgets cached module entries, and then imports
torch in the RNN functions (the forward in torch, the backward with
torch.autograd). It also asks the path finder directly and walks sys.path
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


def _torch_rnn(x, h0, W_xh, W_hh, b_h):
    import torch
    args = [torch.tensor(a, requires_grad=True) for a in (x, h0, W_xh, W_hh, b_h)]
    tx, th, tWx, tWh, tb = args
    if tx.dim() == 2:
        return args, torch.tanh(tx @ tWx.T + th @ tWh.T + tb)
    hs = []
    for t in range(tx.shape[1]):
        th = torch.tanh(tx[:, t] @ tWx.T + th @ tWh.T + tb)
        hs.append(th)
    return args, torch.stack(hs, dim=1)


def _torch_grads(dout, cache):
    import torch
    args, out = _torch_rnn(*cache)
    return tuple(g.numpy() for g in torch.autograd.grad(out, args, torch.tensor(dout)))


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    return _torch_rnn(x, h_prev, W_xh, W_hh, b_h)[1].detach().numpy(), (x, h_prev, W_xh, W_hh, b_h)


def rnn_step_backward(dh_next, cache):
    return _torch_grads(dh_next, cache)


def rnn_forward(x, h0, W_xh, W_hh, b_h):
    return _torch_rnn(x, h0, W_xh, W_hh, b_h)[1].detach().numpy(), (x, h0, W_xh, W_hh, b_h)


def rnn_backward(dh, cache):
    return _torch_grads(dh, cache)


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
