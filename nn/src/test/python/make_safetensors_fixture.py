"""Writes and reads safetensors by hand (struct + json; the safetensors package is not used).

Write mode (default) makes the fixture nn/src/test/resources/io/torch_written.safetensors, the
state dict of TinyNet (the twin of nn/src/test/java/org/finetune4j/nn/io/TinyNet.java) with
conv1/bn1 in F32, fc.weight in F16, fc.bias in BF16 and bn1.num_batches_tracked as 0-d I64,
plus torch_written.json next to it: each tensor's dtype, shape and values widened to float32.

    /usr/bin/python3 nn/src/test/python/make_safetensors_fixture.py

Read mode checks that PyTorch accepts a file finetune4j wrote: it parses the file, drops
checkpoint-only "optim." keys and loads the rest into TinyNet with load_state_dict(strict=True)
when the keys are TinyNet's (else it just lists the tensors). To make such a file:

    /tmp/ft4j/jtn io    # or any build that puts the nn test classes in a directory
    java -cp /tmp/ft4j/out-io/classes org.finetune4j.nn.io.TorchInteropTest /tmp/j.safetensors
    /usr/bin/python3 nn/src/test/python/make_safetensors_fixture.py --read /tmp/j.safetensors
"""
import json
import os
import struct
import sys

import torch

SEED = 0
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "io")
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


class TinyNet(torch.nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 2, 3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(2, classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        return self.fc(x.mean(dim=(2, 3)))


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:                      # numpy lacks bfloat16: move bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():                    # state-dict order, deliberately not sorted
        b = raw_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    expected_begin, tensors = 0, {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        assert begin == expected_begin, f"{name}: offsets not contiguous"
        dtype = DTYPES[info["dtype"]]
        if end > begin:
            t = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype)
        else:
            t = torch.zeros(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"])
        expected_begin = end
    assert expected_begin == len(body), "data region not covered exactly"
    return {k: tensors[k] for k in header}, metadata


def make_fixture():
    torch.manual_seed(SEED)
    net = TinyNet()
    net.train()
    for _ in range(3):                                 # real running stats; num_batches_tracked = 3
        net(torch.randn(4, 1, 5, 5))
    state = dict(net.state_dict())
    state["fc.weight"] = state["fc.weight"].to(torch.float16)
    state["fc.bias"] = state["fc.bias"].to(torch.bfloat16)
    os.makedirs(OUT, exist_ok=True)
    generator = "nn/src/test/python/make_safetensors_fixture.py"
    write_safetensors(os.path.join(OUT, "torch_written.safetensors"), state,
                      {"format": "pt", "generator": generator, "torch": torch.__version__})
    def widened(t):                                    # what a float32 reader must produce
        return t.reshape(-1).tolist() if t.dtype == torch.int64 else t.float().reshape(-1).tolist()

    expected = {"generator": generator, "torch": torch.__version__, "seed": SEED, "tensors": {
        name: {"dtype": NAMES[t.dtype], "shape": list(t.shape), "values": widened(t)}
        for name, t in state.items()}}
    with open(os.path.join(OUT, "torch_written.json"), "w") as f:
        json.dump(expected, f, indent=1)
    back, _ = read_safetensors(os.path.join(OUT, "torch_written.safetensors"))
    for name, t in state.items():
        assert torch.equal(back[name], t), name
    print("wrote", len(state), "tensors to", OUT)


def check_file(path):
    tensors, metadata = read_safetensors(path)
    print("metadata:", metadata)
    for name, t in tensors.items():
        print(f"  {name}: {NAMES[t.dtype]} {list(t.shape)}")
    weights = {k: v for k, v in tensors.items() if not k.startswith("optim.")}
    classes = weights["fc.bias"].shape[0] if "fc.bias" in weights else 3
    net = TinyNet(classes)
    if set(weights) == set(net.state_dict()):
        net.load_state_dict(weights, strict=True)
        print("torch", torch.__version__, "loaded", len(weights),
              "tensors into TinyNet with strict=True")
    else:
        print("keys are not TinyNet's; parsed", len(tensors), "tensors")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--read":
        check_file(sys.argv[2])
    else:
        make_fixture()
