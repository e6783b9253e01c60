#!/usr/bin/python3
"""The `finetune4j pretrain` recipe in PyTorch 1.13, for the accuracy comparison of issue 3.

Same data, architecture and recipe as `java -jar bench/target/finetune4j.jar pretrain --data fashion-mnist`:
Fashion-MNIST classes 0-4 of the training set (Debian's dataset-fashion-mnist), a stratified 10 % validation
hold-out, resnet-mini w=1 with 5 outputs (torchvision names, PyTorch default init), SGD lr 0.1 momentum 0.9
weight decay 5e-4, cosine annealing to 0 stepped per epoch, batch 64, random crop with 2 px zero padding and
horizontal flips, normalisation 0.2860 / 0.3530; reports accuracy on classes 0-4 of the test set.
(The random streams differ from ours, so runs agree in distribution, not bit for bit.)

  /usr/bin/python3 pretrain_torch.py --epochs 10 --seed 0 [--threads 2]
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden_nn import ResNetMini  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    dims = struct.unpack(">" + "i" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def source(prefix):
    x = idx(os.path.join(args.data, prefix + "-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = idx(os.path.join(args.data, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
    keep = y < 5
    return (x[keep] - 0.2860) / 0.3530, y[keep]


xtr, ytr = source("train")
xte, yte = source("t10k")
val = np.zeros(len(ytr), bool)
for c in range(5):                                     # stratified 10 % hold-out
    idxs = np.flatnonzero(ytr == c)
    val[rng.choice(idxs, int(round(0.1 * len(idxs))), replace=False)] = True
xtr, ytr, xva, yva = xtr[~val], ytr[~val], xtr[val], ytr[val]
pad_value = (0.0 - 0.2860) / 0.3530                    # zero padding before normalisation
net = ResNetMini(1, 5)
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)


def evaluate(x, y):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), 500):
            logits = net(torch.from_numpy(x[i:i + 500]).unsqueeze(1))
            correct += (logits.argmax(1).numpy() == y[i:i + 500]).sum()
    net.train()
    return correct / len(y)


print(f"# torch {torch.__version__} threads {torch.get_num_threads()} train {len(ytr)} val {len(yva)} test {len(yte)}")
for epoch in range(args.epochs):
    t0 = time.time()
    order = rng.permutation(len(ytr))
    for i in range(0, len(order), 64):
        b = order[i:i + 64]
        padded = np.pad(xtr[b], ((0, 0), (2, 2), (2, 2)), constant_values=pad_value)
        offs = rng.integers(0, 5, (len(b), 2))          # per-image crop offsets, as RandomCrop
        x = np.stack([padded[j, oy:oy + 28, ox:ox + 28] for j, (oy, ox) in enumerate(offs)])
        flip = rng.random(len(b)) < 0.5
        x[flip] = x[flip, :, ::-1]
        x = torch.from_numpy(np.ascontiguousarray(x)).unsqueeze(1)
        loss = F.cross_entropy(net(x), torch.from_numpy(ytr[b]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    secs = time.time() - t0
    print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.4f} val acc {evaluate(xva, yva):.4f} "
          f"({secs:.1f} s, {len(ytr) / secs:.0f} img/s)", flush=True)
print(f"test accuracy (classes 0-4): {evaluate(xte, yte):.4f}")
