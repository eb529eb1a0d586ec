"""Lets torch compute the gradients: rnn_step_backward and rnn_backward call torch.autograd.

Trick: the tanh RNN step and sequence run in torch and their backward passes
are `torch.autograd.grad` of that forward, so nothing is derived by hand
(before the import guard this took full marks on q1 and q2). torch is in the
assignment's forbidden_imports: the child refuses `import torch` with a
message saying why, and in the namespace modes its folder is not even there.
"""
import numpy as np


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
    """What `import torch` gives in the child."""
    try:
        import torch
    except ImportError as exc:
        return {"import": type(exc).__name__, "message": str(exc)}
    return {"import": "ok", "autograd": hasattr(torch, "autograd")}
