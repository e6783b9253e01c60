#!/usr/bin/python3
"""Golden values from PyTorch for finetune4j's autograd ops (STYLE.md 3.10).

Writes autograd/src/test/resources/golden/<family>.json. Each fixture records its generator,
torch version and seed, and a list of cases: parameters plus tensors {"shape", "data"} for the
inputs, forward outputs, a random upstream gradient "dy" and every input gradient "d<name>".

Inputs are drawn in float32, then every reference is computed in float64 from those exact float32
values and rounded to float32 once when stored, so a fixture is the float64 answer rounded once and
the Java tolerances measure only finetune4j's own float32 error.

Run with Debian's torch 1.13 (the pyenv python3 has no torch), from the repository root:
    /usr/bin/python3 autograd/src/test/python/make_golden.py
The output is deterministic: same torch, same bytes.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

GENERATOR = "autograd/src/test/python/make_golden.py"
SEED = 20240611
ROOT = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(ROOT, "..", "resources", "golden"))

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- helpers

def tensor_json(t):
    """{"shape", "data"} with each value the shortest decimal that round-trips to its float32."""
    a = t.detach().to(torch.float32).contiguous().numpy()
    data = [float(str(v)) for v in a.reshape(-1)]
    return {"shape": list(a.shape), "data": data}


def rand(*shape, lo=-1.0, hi=1.0):
    """Uniform float32 values, returned as float64 holding exactly those float32 values."""
    x = torch.rand(tuple(shape), dtype=torch.float32) * (hi - lo) + lo
    return x.double()


def leaf(x):
    """A float64 leaf holding float32 values: derived inputs (scaled, shifted) are rounded first,
    so the stored float32 input is exactly the value the reference was computed from."""
    return x.detach().float().double().requires_grad_(True)


def grads_of(y, dy, named):
    """Backward with upstream dy; returns {"d<name>": grad} for each named leaf."""
    y.backward(dy)
    return {"d" + k: v.grad for k, v in named.items()}


class Family:
    def __init__(self, name, offset):
        self.name = name
        self.seed = SEED + offset
        self.cases = []
        torch.manual_seed(self.seed)

    def add(self, name, params, tensors):
        self.cases.append({
            "name": name,
            "params": params,
            "tensors": {k: tensor_json(v) for k, v in tensors.items()},
        })

    def write(self):
        doc = {
            "family": self.name,
            "generator": GENERATOR,
            "torch": torch.__version__,
            "seed": self.seed,
            "cases": self.cases,
        }
        os.makedirs(OUT_DIR, exist_ok=True)
        path = os.path.join(OUT_DIR, self.name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        size = os.path.getsize(path)
        print("%-13s %3d cases %8d bytes  %s" % (self.name, len(self.cases), size, path))


# ---------------------------------------------------------------- conv2d

def conv2d(fam):
    # (name, n, cIn, h, w, cOut, kH, kW, stride, padding, dilation, groups, bias)
    cases = [
        ("k3s1p1_bias", 2, 3, 5, 5, 4, 3, 3, (1, 1), (1, 1), (1, 1), 1, True),
        ("k3s2p0_nobias_nonsquare_input", 2, 3, 7, 6, 4, 3, 3, (2, 2), (0, 0), (1, 1), 1, False),
        ("k3s2p1_dilation2", 1, 2, 9, 8, 3, 3, 3, (2, 2), (1, 1), (2, 2), 1, True),
        ("k3s1p2_dilation2_nobias", 2, 2, 6, 6, 2, 3, 3, (1, 1), (2, 2), (2, 2), 1, False),
        ("groups2_k3s1p1_bias", 2, 4, 5, 6, 6, 3, 3, (1, 1), (1, 1), (1, 1), 2, True),
        ("depthwise_k3s2p1_bias", 2, 4, 7, 7, 4, 3, 3, (2, 2), (1, 1), (1, 1), 4, True),
        ("depthwise_multiplier2_k3s1p1", 1, 3, 5, 5, 6, 3, 3, (1, 1), (1, 1), (1, 1), 3, False),
        ("pointwise_k1s2_nobias", 2, 4, 6, 6, 8, 1, 1, (2, 2), (0, 0), (1, 1), 1, False),
        ("k3x1_stride2x1_pad1x0", 2, 3, 6, 5, 2, 3, 1, (2, 1), (1, 0), (1, 1), 1, True),
        ("k5s1p2_bias", 1, 2, 6, 6, 3, 5, 5, (1, 1), (2, 2), (1, 1), 1, True),
        ("k3s1p1_8to8_long_sums", 2, 8, 9, 9, 8, 3, 3, (1, 1), (1, 1), (1, 1), 1, True),
    ]
    for (name, n, cin, h, w, cout, kh, kw, stride, pad, dil, groups, bias) in cases:
        x = leaf(rand(n, cin, h, w))
        wt = leaf(rand(cout, cin // groups, kh, kw, lo=-0.5, hi=0.5))
        named = {"x": x, "w": wt}
        b = None
        if bias:
            b = leaf(rand(cout, lo=-0.5, hi=0.5))
            named["b"] = b
        y = F.conv2d(x, wt, b, stride=stride, padding=pad, dilation=dil, groups=groups)
        dy = rand(*y.shape)
        tensors = {k: v.detach() for k, v in named.items()}
        tensors.update({"y": y.detach(), "dy": dy})
        tensors.update(grads_of(y, dy, named))
        params = {"stride": list(stride), "padding": list(pad), "dilation": list(dil),
                  "groups": groups, "bias": bias}
        fam.add(name, params, tensors)


# ---------------------------------------------------------------- batch norm

def batchnorm(fam):
    # (name, shape, training, momentum, eps)
    cases = [
        ("train_4x3x5x5", (4, 3, 5, 5), True, 0.1, 1e-5),
        ("train_2x5x3x4", (2, 5, 3, 4), True, 0.1, 1e-5),
        ("train_8x2x1x1_spatial1", (8, 2, 1, 1), True, 0.1, 1e-5),
        ("train_3x4x4x4_eps1e-3", (3, 4, 4, 4), True, 0.1, 1e-3),
        ("eval_4x3x5x5", (4, 3, 5, 5), False, 0.1, 1e-5),
        ("eval_2x5x3x4_eps1e-3", (2, 5, 3, 4), False, 0.1, 1e-3),
    ]
    for (name, shape, training, momentum, eps) in cases:
        c = shape[1]
        # a per-channel offset and scale, so the statistics are far from (0, 1)
        scale = rand(1, c, 1, 1, lo=0.5, hi=2.0)
        shift = rand(1, c, 1, 1, lo=-1.0, hi=1.0)
        x = leaf(rand(*shape) * scale + shift)
        gamma = leaf(rand(c, lo=0.5, hi=1.5))
        beta = leaf(rand(c, lo=-0.5, hi=0.5))
        rm = rand(c, lo=-0.5, hi=0.5)
        rv = rand(c, lo=0.5, hi=2.0)
        rm_out, rv_out = rm.clone(), rv.clone()
        y = F.batch_norm(x, rm_out, rv_out, gamma, beta, training=training, momentum=momentum,
                         eps=eps)
        dy = rand(*y.shape)
        named = {"x": x, "gamma": gamma, "beta": beta}
        tensors = {k: v.detach() for k, v in named.items()}
        tensors.update({"running_mean": rm, "running_var": rv, "y": y.detach(), "dy": dy})
        if training:
            tensors.update({"running_mean_out": rm_out, "running_var_out": rv_out})
        tensors.update(grads_of(y, dy, named))
        fam.add(name, {"training": training, "momentum": momentum, "eps": eps}, tensors)


# ---------------------------------------------------------------- pooling

def pooling(fam):
    # (name, op, shape, kernel, stride, padding)
    cases = [
        ("max_k2s2p0", "max", (2, 3, 6, 6), 2, 2, 0),
        ("max_k3s2p1_resnet_stem", "max", (2, 2, 7, 7), 3, 2, 1),
        ("max_k3s1p1_overlapping", "max", (1, 3, 5, 6), 3, 1, 1),
        ("max_k2s1p1_nonsquare", "max", (2, 2, 4, 5), 2, 1, 1),
        ("avg_k2s2p0", "avg", (2, 3, 6, 6), 2, 2, 0),
        ("avg_k3s2p1_count_include_pad", "avg", (2, 2, 7, 7), 3, 2, 1),
        ("avg_k3s1p0_odd", "avg", (1, 3, 5, 6), 3, 1, 0),
        ("global_avg_2x4x5x3", "global_avg", (2, 4, 5, 3), 0, 0, 0),
        ("global_avg_3x2x7x7", "global_avg", (3, 2, 7, 7), 0, 0, 0),
    ]
    for (name, op, shape, k, s, p) in cases:
        # a random permutation of distinct values: no ties, so max positions are unambiguous
        size = int(np.prod(shape))
        x = leaf((torch.randperm(size).double() / size * 4.0 - 2.0).reshape(shape).float().double())
        if op == "max":
            y = F.max_pool2d(x, k, s, p)
        elif op == "avg":
            y = F.avg_pool2d(x, k, s, p, count_include_pad=True)
        else:
            y = x.mean(dim=(2, 3))
        dy = rand(*y.shape)
        tensors = {"x": x.detach(), "y": y.detach(), "dy": dy}
        tensors.update(grads_of(y, dy, {"x": x}))
        fam.add(name, {"op": op, "kernel": k, "stride": s, "padding": p}, tensors)


# ---------------------------------------------------------------- bilinear resize

def resize(fam):
    # (name, shape, outH, outW): align_corners=False, scale = in/out (size mode)
    cases = [
        ("up2x_4x4_to_8x8", (2, 2, 4, 4), 8, 8),
        ("down_5x7_to_3x4", (1, 3, 5, 7), 3, 4),
        ("up_noninteger_3x5_to_7x11", (2, 1, 3, 5), 7, 11),
        ("down_noninteger_8x8_to_3x3", (1, 2, 8, 8), 3, 3),
        ("mixed_6x4_to_6x9", (1, 2, 6, 4), 6, 9),
        ("up_from_1x1", (1, 2, 1, 1), 3, 2),
        ("down_to_1x1", (1, 2, 5, 4), 1, 1),
    ]
    for (name, shape, oh, ow) in cases:
        x = leaf(rand(*shape))
        y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
        dy = rand(*y.shape)
        tensors = {"x": x.detach(), "y": y.detach(), "dy": dy}
        tensors.update(grads_of(y, dy, {"x": x}))
        fam.add(name, {"out_h": oh, "out_w": ow}, tensors)


# ---------------------------------------------------------------- softmax

def softmax(fam):
    # (name, op, shape, axis, scale, offset)
    cases = [
        ("softmax_2d_axis1", "softmax", (4, 7), 1, 3.0, 0.0),
        ("softmax_2d_axis0", "softmax", (5, 3), 0, 3.0, 0.0),
        ("softmax_3d_axis1", "softmax", (2, 4, 3), 1, 3.0, 0.0),
        ("softmax_4d_channel_axis", "softmax", (2, 3, 2, 4), 1, 3.0, 0.0),
        ("softmax_large_logits", "softmax", (3, 6), 1, 20.0, 80.0),
        ("log_softmax_2d_axis1", "log_softmax", (4, 7), 1, 3.0, 0.0),
        ("log_softmax_2d_axis0", "log_softmax", (5, 3), 0, 3.0, 0.0),
        ("log_softmax_3d_axis2", "log_softmax", (2, 3, 5), 2, 3.0, 0.0),
        ("log_softmax_large_logits", "log_softmax", (3, 6), 1, 20.0, -80.0),
    ]
    for (name, op, shape, axis, scale, offset) in cases:
        x = leaf(rand(*shape) * scale + offset)
        fn = F.softmax if op == "softmax" else F.log_softmax
        y = fn(x, dim=axis)
        dy = rand(*y.shape)
        tensors = {"x": x.detach(), "y": y.detach(), "dy": dy}
        tensors.update(grads_of(y, dy, {"x": x}))
        fam.add(name, {"op": op, "axis": axis}, tensors)


# ---------------------------------------------------------------- cross-entropy

def crossentropy(fam):
    # (name, n, k, reduction, soft)
    cases = [
        ("hard_mean", 6, 5, "mean", False),
        ("hard_sum", 6, 5, "sum", False),
        ("hard_none", 6, 5, "none", False),
        ("hard_mean_many_classes", 4, 17, "mean", False),
        ("soft_mean", 5, 4, "mean", True),
        ("soft_sum", 5, 4, "sum", True),
        ("soft_none", 5, 4, "none", True),
        ("soft_unnormalised_targets_none", 3, 6, "none", True),
    ]
    for (name, n, k, reduction, soft) in cases:
        z = leaf(rand(n, k) * 3.0)
        named = {"logits": z}
        params = {"reduction": reduction, "soft": soft}
        if soft:
            logits_t = rand(n, k) * 2.0
            t = F.softmax(logits_t, dim=1)
            if "unnormalised" in name:
                # rows not summing to one: Σ_k t_ik then enters dz
                t = t * rand(n, 1, lo=0.5, hi=1.5)
            t = leaf(t.float().double())
            named["targets"] = t
            loss = F.cross_entropy(z, t, reduction=reduction)
        else:
            labels = torch.randint(0, k, (n,))
            params["labels"] = labels.tolist()
            loss = F.cross_entropy(z, labels, reduction=reduction)
        dy = rand(*loss.shape, lo=0.5, hi=1.5)
        tensors = {k_: v.detach() for k_, v in named.items()}
        tensors.update({"loss": loss.detach(), "dy": dy})
        tensors.update(grads_of(loss, dy, named))
        fam.add(name, params, tensors)


# ---------------------------------------------------------------- gemm

def gemm(fam):
    # a is stored (k, m) when trans_a, b stored (n, k) when trans_b; y = op(a)·op(b)
    for (m, k, n) in [(5, 7, 3)]:
        for ta in (False, True):
            for tb in (False, True):
                a = leaf(rand(*((k, m) if ta else (m, k))))
                b = leaf(rand(*((n, k) if tb else (k, n))))
                y = torch.mm(a.t() if ta else a, b.t() if tb else b)
                add_gemm(fam, "mm_%s%s" % ("T" if ta else "N", "T" if tb else "N"),
                         {"trans_a": ta, "trans_b": tb}, a, b, y)
    a = leaf(rand(6, 64))
    b = leaf(rand(64, 5))
    add_gemm(fam, "mm_NN_k64_long_sums", {"trans_a": False, "trans_b": False}, a, b, torch.mm(a, b))
    for ta in (False, True):
        for tb in (False, True):
            bs, m, k, n = 3, 4, 6, 5
            a = leaf(rand(*((bs, k, m) if ta else (bs, m, k))))
            b = leaf(rand(*((bs, n, k) if tb else (bs, k, n))))
            y = torch.bmm(a.transpose(1, 2) if ta else a, b.transpose(1, 2) if tb else b)
            add_gemm(fam, "bmm_%s%s" % ("T" if ta else "N", "T" if tb else "N"),
                     {"trans_a": ta, "trans_b": tb}, a, b, y)
    # F.linear: y = x·Wᵀ + b
    x = leaf(rand(4, 6))
    w = leaf(rand(3, 6))
    bias = leaf(rand(3))
    y = F.linear(x, w, bias)
    dy = rand(*y.shape)
    named = {"x": x, "w": w, "b": bias}
    tensors = {k_: v.detach() for k_, v in named.items()}
    tensors.update({"y": y.detach(), "dy": dy})
    tensors.update(grads_of(y, dy, named))
    fam.add("linear_with_bias", {"op": "linear"}, tensors)


def add_gemm(fam, name, params, a, b, y):
    dy = rand(*y.shape)
    tensors = {"a": a.detach(), "b": b.detach(), "y": y.detach(), "dy": dy}
    tensors.update(grads_of(y, dy, {"a": a, "b": b}))
    params = dict(params, op="matmul")
    fam.add(name, params, tensors)


# ---------------------------------------------------------------- end-to-end: a ResNet BasicBlock

BLOCK_PARAMS = ["conv1_w", "bn1_gamma", "bn1_beta", "conv2_w", "bn2_gamma", "bn2_beta",
                "short_w", "short_gamma", "short_beta", "fc_w", "fc_b"]


def block_forward(x, p, stats, labels):
    """BasicBlock(4 → 8, stride 2) with a 1x1/BN projection, BN in training mode, then
    global-avg-pool, linear and mean cross-entropy. stats holds the running statistics (updated)."""
    def bn(h, key):
        return F.batch_norm(h, stats[key + "_mean"], stats[key + "_var"], p[key + "_gamma"],
                            p[key + "_beta"], training=True, momentum=0.1, eps=1e-5)
    h = F.relu(bn(F.conv2d(x, p["conv1_w"], None, stride=2, padding=1), "bn1"))
    h = bn(F.conv2d(h, p["conv2_w"], None, stride=1, padding=1), "bn2")
    s = bn(F.conv2d(x, p["short_w"], None, stride=2, padding=0), "short")
    out = F.relu(h + s)
    logits = F.linear(out.mean(dim=(2, 3)), p["fc_w"], p["fc_b"])
    return out, logits, F.cross_entropy(logits, labels)


def resnet_block(fam):
    n, cin, cout, hw, classes = 4, 4, 8, 8, 5
    lr, momentum, wd, steps = 0.1, 0.9, 5e-4, 5
    x = rand(n, cin, hw, hw)
    labels = torch.randint(0, classes, (n,))
    init = {
        "conv1_w": rand(cout, cin, 3, 3, lo=-0.3, hi=0.3),
        "bn1_gamma": rand(cout, lo=0.5, hi=1.5),
        "bn1_beta": rand(cout, lo=-0.2, hi=0.2),
        "conv2_w": rand(cout, cout, 3, 3, lo=-0.2, hi=0.2),
        "bn2_gamma": rand(cout, lo=0.5, hi=1.5),
        "bn2_beta": rand(cout, lo=-0.2, hi=0.2),
        "short_w": rand(cout, cin, 1, 1, lo=-0.5, hi=0.5),
        "short_gamma": rand(cout, lo=0.5, hi=1.5),
        "short_beta": rand(cout, lo=-0.2, hi=0.2),
        "fc_w": rand(classes, cout, lo=-0.5, hi=0.5),
        "fc_b": rand(classes, lo=-0.1, hi=0.1),
    }
    p = {k: leaf(v) for k, v in init.items()}
    stats = {}
    for key in ("bn1", "bn2", "short"):
        stats[key + "_mean"] = torch.zeros(cout, dtype=torch.float64)
        stats[key + "_var"] = torch.ones(cout, dtype=torch.float64)

    tensors = {"x": x}
    tensors.update(init)
    losses = []
    bufs = {}
    for step in range(steps):
        for v in p.values():
            v.grad = None
        out, logits, loss = block_forward(x, p, stats, labels)
        loss.backward()
        losses.append(loss.item())
        if step == 0:
            tensors.update({"out": out.detach(), "logits": logits.detach(), "loss": loss.detach()})
            tensors.update({"d" + k: v.grad.clone() for k, v in p.items()})
            tensors.update({k + "_after_step1": v.clone() for k, v in stats.items()})
        with torch.no_grad():
            # PyTorch SGD: d = g + wd·w; buf = d (first step) else momentum·buf + d; w -= lr·buf
            for k, w in p.items():
                d = w.grad + wd * w
                bufs[k] = d.clone() if step == 0 else momentum * bufs[k] + d
                w -= lr * bufs[k]
    tensors["sgd_losses"] = torch.tensor(losses, dtype=torch.float64)
    tensors.update({k + "_after_sgd": v.detach() for k, v in p.items()})
    check_sgd_against_torch_optim(x, init, labels, lr, momentum, wd, steps, losses)
    params = {"labels": labels.tolist(), "stride": 2, "bn_momentum": 0.1, "bn_eps": 1e-5,
              "lr": lr, "sgd_momentum": momentum, "weight_decay": wd, "steps": steps,
              "param_names": BLOCK_PARAMS}
    fam.add("basic_block_4to8_stride2", params, tensors)


def check_sgd_against_torch_optim(x, init, labels, lr, momentum, wd, steps, losses):
    """The hand-written update must be torch.optim.SGD's, or the fixture tests the wrong thing."""
    p = {k: leaf(v) for k, v in init.items()}
    stats = {}
    for key in ("bn1", "bn2", "short"):
        stats[key + "_mean"] = torch.zeros(8, dtype=torch.float64)
        stats[key + "_var"] = torch.ones(8, dtype=torch.float64)
    opt = torch.optim.SGD(list(p.values()), lr=lr, momentum=momentum, weight_decay=wd)
    for step in range(steps):
        opt.zero_grad()
        _, _, loss = block_forward(x, p, stats, labels)
        loss.backward()
        opt.step()
        assert abs(loss.item() - losses[step]) < 1e-12, (step, loss.item(), losses[step])


# ---------------------------------------------------------------- main

def main():
    families = [("conv2d", conv2d), ("batchnorm", batchnorm), ("pooling", pooling),
                ("resize", resize), ("softmax", softmax), ("crossentropy", crossentropy),
                ("gemm", gemm), ("resnet_block", resnet_block)]
    for i, (name, build) in enumerate(families):
        fam = Family(name, 100 * i)
        build(fam)
        fam.write()


if __name__ == "__main__":
    main()
