#!/usr/bin/python3
"""Golden values from PyTorch for finetune4j's nn layer (STYLE.md 3.10).

Writes, under nn/src/test/resources/golden/:
  nn_resnet_mini.safetensors  resnet-mini (w=1, 1 input channel, 10 classes) with torchvision's
                              module names: "init.<key>" the state dict the Java test loads
                              (random BN affine and running statistics, num_batches_tracked as
                              I64 like PyTorch), "x" and "labels" one batch, "train.logits",
                              "train.loss", "grad.<param>" after a train-mode forward and mean
                              cross-entropy, "after.<buffer>" the updated buffers, "eval.logits"
                              the eval-mode forward with them. __metadata__ names generator, torch
                              and seed.
  nn_lstm_cell.json           nn.LSTMCell forward and backward (Golden.load format).
  nn_losses.json              label-smoothing cross-entropy, KD (KL and soft-target CE with T²),
                              MSE: values and input gradients.

As in autograd's make_golden.py, inputs are drawn in float32 and every reference is computed in
float64 from those exact values, then rounded once when stored. Run from the repository root with
Debian's torch 1.13 (the pyenv python3 has no torch):
    /usr/bin/python3 nn/src/test/python/make_golden_nn.py
The output is deterministic: same torch, same bytes.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

GENERATOR = "nn/src/test/python/make_golden_nn.py"
SEED = 20240612
ROOT = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(ROOT, "..", "resources", "golden"))

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def rand(*shape, lo=-1.0, hi=1.0):
    """Uniform float32 values, returned as float64 holding exactly those values."""
    return (torch.rand(tuple(shape), dtype=torch.float32) * (hi - lo) + lo).double()


def leaf(x):
    return x.detach().float().double().requires_grad_(True)


# ---------------------------------------------------------------- JSON fixtures (Golden.load)

def tensor_json(t):
    a = t.detach().to(torch.float32).contiguous().numpy()
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.reshape(-1)]}


class Family:
    def __init__(self, name, offset):
        self.name = name
        self.seed = SEED + offset
        self.cases = []
        torch.manual_seed(self.seed)

    def add(self, name, params, tensors):
        self.cases.append({"name": name, "params": params,
                           "tensors": {k: tensor_json(v) for k, v in tensors.items()}})

    def write(self):
        doc = {"family": self.name, "generator": GENERATOR, "torch": torch.__version__,
               "seed": self.seed, "cases": self.cases}
        path = os.path.join(OUT_DIR, self.name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print("wrote", path)


# ---------------------------------------------------------------- safetensors, by hand

def write_safetensors(path, tensors, metadata):
    """F32 for floating tensors, I64 for integer ones; data in insertion order."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype in (torch.int64, torch.int32):
            dtype, raw = "I64", t.to(torch.int64).numpy().astype("<i8").tobytes()
        else:
            dtype, raw = "F32", t.to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print("wrote", path)


# ---------------------------------------------------------------- resnet-mini, torchvision names

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNetMini(nn.Module):
    def __init__(self, w=1, classes=10):
        super().__init__()
        c1, c2, c3 = 16 * w, 32 * w, 64 * w
        self.conv1 = nn.Conv2d(1, c1, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c1)
        self.relu = nn.ReLU()
        self.layer1 = nn.Sequential(BasicBlock(c1, c1, 1), BasicBlock(c1, c1, 1))
        self.layer2 = nn.Sequential(BasicBlock(c1, c2, 2), BasicBlock(c2, c2, 1))
        self.layer3 = nn.Sequential(BasicBlock(c2, c3, 2), BasicBlock(c3, c3, 1))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c3, classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet_mini():
    torch.manual_seed(SEED)
    model = ResNetMini(1, 10)
    assert sum(p.numel() for p in model.parameters()) == 174970
    with torch.no_grad():                      # BN away from its defaults, so loading is tested
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(rand(c, lo=0.5, hi=1.5))
                m.bias.copy_(rand(c, lo=-0.2, hi=0.2))
                m.running_mean.copy_(rand(c, lo=-0.2, hi=0.2))
                m.running_var.copy_(rand(c, lo=0.5, hi=1.5))
                m.num_batches_tracked.fill_(3)
    out = {"init." + k: v.clone() for k, v in model.state_dict().items()}
    x = rand(4, 1, 28, 28)
    labels = torch.randint(0, 10, (4,))
    model = model.double().train()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    out["x"] = x
    out["labels"] = labels
    out["train.logits"] = logits
    out["train.loss"] = loss
    for k, p in model.named_parameters():
        out["grad." + k] = p.grad
    for k, b in model.named_buffers():
        out["after." + k] = b.clone()
    model.eval()
    with torch.no_grad():
        out["eval.logits"] = model(x)
    meta = {"generator": GENERATOR, "torch": torch.__version__, "seed": str(SEED)}
    write_safetensors(os.path.join(OUT_DIR, "nn_resnet_mini.safetensors"), out, meta)


# ---------------------------------------------------------------- LSTM cell

def lstm_cell():
    fam = Family("nn_lstm_cell", 1)
    n, inp, hid = 3, 5, 4
    cell = nn.LSTMCell(inp, hid).double()
    with torch.no_grad():                      # round the init to float32 values
        for p in cell.parameters():
            p.copy_(p.float().double())
    x, h0, c0 = leaf(rand(n, inp)), leaf(rand(n, hid)), leaf(rand(n, hid))
    h1, c1 = cell(x, (h0, c0))
    dh, dc = rand(n, hid), rand(n, hid)
    ((h1 * dh).sum() + (c1 * dc).sum()).backward()
    tensors = {k: v.detach() for k, v in cell.named_parameters()}
    tensors.update({"x": x, "h0": h0, "c0": c0, "h1": h1, "c1": c1, "dh": dh, "dc": dc,
                    "dx": x.grad, "dh0": h0.grad, "dc0": c0.grad})
    tensors.update({"d" + k: v.grad for k, v in cell.named_parameters()})
    fam.add("lstm_cell_in5_hidden4", {"input_size": inp, "hidden_size": hid}, tensors)
    fam.write()


# ---------------------------------------------------------------- losses

def losses():
    fam = Family("nn_losses", 2)
    n, k = 5, 7
    for (name, eps, red) in [("ce_plain_mean", 0.0, "mean"), ("ce_smooth0.1_mean", 0.1, "mean"),
                             ("ce_smooth0.2_sum", 0.2, "sum"), ("ce_smooth0.3_none", 0.3, "none")]:
        z = leaf(rand(n, k) * 3.0)
        labels = torch.randint(0, k, (n,))
        loss = F.cross_entropy(z, labels, label_smoothing=eps, reduction=red)
        dy = rand(*loss.shape, lo=0.5, hi=1.5)
        loss.backward(dy)
        fam.add(name, {"label_smoothing": eps, "reduction": red, "labels": labels.tolist()},
                {"logits": z, "loss": loss, "dy": dy, "dlogits": z.grad})
    for (name, temp) in [("kd_kl_T4", 4.0), ("kd_kl_T1", 1.0), ("kd_softce_T2", 2.0)]:
        s = leaf(rand(n, k) * 3.0)
        t = leaf(rand(n, k) * 3.0)
        q = F.softmax(t / temp, dim=1)
        if "kl" in name:
            loss = F.kl_div(F.log_softmax(s / temp, dim=1), q, reduction="batchmean")
        else:
            loss = (-(q * F.log_softmax(s / temp, dim=1)).sum(dim=1)).mean()
        loss = loss * temp * temp
        loss.backward()
        fam.add(name, {"temperature": temp}, {"student": s, "teacher": t, "loss": loss,
                                              "dstudent": s.grad, "dteacher": t.grad})
    for red in ("mean", "none"):
        a, b = leaf(rand(3, 4, 2)), leaf(rand(3, 4, 2))
        loss = F.mse_loss(a, b, reduction=red)
        dy = rand(*loss.shape, lo=0.5, hi=1.5)
        loss.backward(dy)
        fam.add("mse_" + red, {"reduction": red},
                {"input": a, "target": b, "loss": loss, "dy": dy, "dinput": a.grad,
                 "dtarget": b.grad})
    fam.write()


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    resnet_mini()
    lstm_cell()
    losses()
