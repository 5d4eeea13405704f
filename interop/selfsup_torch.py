"""Loads a selfsup image encoder into PyTorch from its checkpoint alone.

Everything comes from the checkpoint's model.safetensors: the tensors, and its __metadata__
(format, backbone architecture, input shape, channel mean and std). Nothing about a particular
run is written here; the architecture families are the ones selfsup's format version 1 describes
("mlp" and "resnet", docs/usage.md, "Checkpoint format").

    import selfsup_torch
    encoder = selfsup_torch.load_encoder("runs/simclr")           # a run or checkpoint folder
    features = encoder(encoder.standardise(pixels_0_to_255))      # (N, feature_dim)

As a script it checks the loader against selfsup's own embeddings:

    ./selfsup embed --checkpoint RUN --data idx:DIR --out test.npy
    python3 interop/selfsup_torch.py RUN --data idx:DIR --expect test.npy

and exits non-zero when any value differs by more than --tolerance (default 1e-4).
"""
import argparse
import gzip
import json
import os
import re
import struct
import sys

import numpy as np
import torch
from torch import nn

FORMAT = "selfsup-checkpoint"
DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    """(tensors by name as numpy arrays, __metadata__) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    metadata = header.pop("__metadata__", {})
    start = 8 + size
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if (start + begin) % 8 != 0:
            raise ValueError("%s: tensor %s starts at byte %d, not on an 8-byte boundary"
                             % (path, name, start + begin))
        array = np.frombuffer(data, dtype=DTYPES[entry["dtype"]], count=(end - begin)
                              // np.dtype(DTYPES[entry["dtype"]]).itemsize, offset=start + begin)
        tensors[name] = array.reshape(entry["shape"])
    return tensors, metadata


def checkpoint_file(path):
    """model.safetensors of a checkpoint folder, or of a run folder's newest checkpoint."""
    if os.path.isfile(os.path.join(path, "model.safetensors")):
        return os.path.join(path, "model.safetensors")
    folder = os.path.join(path, "checkpoints")
    epochs = sorted(d for d in os.listdir(folder) if re.fullmatch(r"epoch-\d+", d))
    if not epochs:
        raise FileNotFoundError("%s: no checkpoints/epoch-NNNN folder" % path)
    return os.path.join(folder, epochs[-1], "model.safetensors")


def children(tensors, prefix):
    """The child blocks directly under prefix: [(prefix of the child, its type name)] in order.

    selfsup's tensor names are DJL block paths, each part NN<TypeName> (1-based position)."""
    found = {}
    for name in tensors:
        if name.startswith(prefix):
            m = re.match(r"(\d\d)([A-Za-z0-9]+)_", name[len(prefix):])
            if m:
                found[int(m.group(1))] = (prefix + m.group(1) + m.group(2) + "_", m.group(2))
    return [found[k] for k in sorted(found)]


class BasicBlock(nn.Module):
    def __init__(self, tensors, prefix, batch_norm):
        super().__init__()
        residual = children(tensors, prefix + "01residual_")
        convs = [p for p, kind in residual if kind == "Conv2d"]
        norms = [p for p, kind in residual if kind == "BatchNorm"]
        w1 = tensors[convs[0] + "weight"]
        shortcut = children(tensors, prefix + "02shortcut_")
        # the block's stride: a shortcut convolution marks a change of width or resolution, and
        # format 1 halves the resolution wherever the width changes ("stride" in __metadata__)
        stride = 2 if shortcut and w1.shape[0] != w1.shape[1] else 1
        self.conv1 = conv(w1, stride, 1)
        self.bn1 = norm(tensors, norms[0], batch_norm)
        self.conv2 = conv(tensors[convs[1] + "weight"], 1, 1)
        self.bn2 = norm(tensors, norms[1], batch_norm)
        self.shortcut = None
        if shortcut:
            self.shortcut = nn.Sequential(conv(tensors[shortcut[0][0] + "weight"], stride, 0),
                                          norm(tensors, shortcut[1][0], batch_norm))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


def conv(weight, stride, padding):
    layer = nn.Conv2d(weight.shape[1], weight.shape[0], weight.shape[2], stride=stride,
                      padding=padding, bias=False)
    layer.weight.data = torch.from_numpy(weight.copy())
    return layer


def norm(tensors, prefix, settings):
    gamma = tensors[prefix + "gamma"]
    layer = nn.BatchNorm2d(gamma.shape[0], eps=settings["eps"], momentum=settings["momentum"])
    layer.weight.data = torch.from_numpy(gamma.copy())
    layer.bias.data = torch.from_numpy(tensors[prefix + "beta"].copy())
    layer.running_mean.data = torch.from_numpy(tensors[prefix + "runningMean"].copy())
    layer.running_var.data = torch.from_numpy(tensors[prefix + "runningVar"].copy())
    return layer


class Encoder(nn.Module):
    """The backbone of a selfsup checkpoint, in eval mode, with its input standardisation."""

    def __init__(self, tensors, metadata):
        super().__init__()
        if metadata.get("format") != FORMAT or metadata.get("format_version") != "1":
            raise ValueError("not a selfsup checkpoint of format version 1: format %r, version %r"
                             % (metadata.get("format"), metadata.get("format_version")))
        architecture = json.loads(metadata["architecture"])
        self.input_shape = json.loads(metadata["input_shape"])
        mean = json.loads(metadata["channel_mean"])
        std = json.loads(metadata["channel_std"])
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))
        layers = []
        parts = children(tensors, "01backbone_")
        if architecture["type"] == "mlp":
            layers.append(nn.Flatten())
            linears = [p for p, kind in parts if kind == "Linear"]
            for i, p in enumerate(linears):
                w = tensors[p + "weight"]
                layer = nn.Linear(w.shape[1], w.shape[0])
                layer.weight.data = torch.from_numpy(w.copy())
                layer.bias.data = torch.from_numpy(tensors[p + "bias"].copy())
                layers.append(layer)
                if i < len(linears) - 1:
                    layers.append(nn.ReLU())
        elif architecture["type"] == "resnet":
            batch_norm = architecture["batch_norm"]
            stem = [p for p, kind in parts if kind in ("Conv2d", "BatchNorm")]
            layers += [conv(tensors[stem[0] + "weight"], 1, 1), norm(tensors, stem[1], batch_norm),
                       nn.ReLU()]
            layers += [BasicBlock(tensors, p, batch_norm) for p, kind in parts
                       if kind == "ResidualBlock"]
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        else:
            raise ValueError("unknown architecture type %r" % architecture["type"])
        self.body = nn.Sequential(*layers)
        self.feature_dim = architecture["feature_dim"]
        self.eval()

    def standardise(self, pixels):
        """(N, C, H, W) pixels in [0, 255] -> the encoder's input, (pixel / 255 - mean) / std."""
        x = torch.from_numpy(np.array(pixels, dtype=np.float32))
        return (x / 255 - self.mean) / self.std

    @torch.no_grad()
    def forward(self, x):
        return self.body(x)


def load_encoder(path):
    """The encoder of a run folder (its newest checkpoint) or a checkpoint folder."""
    tensors, metadata = read_safetensors(checkpoint_file(path))
    return Encoder(tensors, metadata)


def idx_images(folder, split):
    """The test (or train) images of an idx folder as uint8 (N, 1, H, W)."""
    name = "t10k-images-idx3-ubyte" if split == "test" else "train-images-idx3-ubyte"
    path = os.path.join(folder, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if opener is gzip.open else path, "rb") as f:
        data = f.read()
    count, height, width = struct.unpack(">III", data[4:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(count, 1, height, width)


def main():
    p = argparse.ArgumentParser(description="Check the PyTorch loader against selfsup embed.")
    p.add_argument("checkpoint", help="a run folder or a checkpoint folder")
    p.add_argument("--data", required=True, help="idx:DIR, as given to selfsup embed")
    p.add_argument("--split", default="test")
    p.add_argument("--expect", required=True, help="the .npy that selfsup embed wrote")
    p.add_argument("--tolerance", type=float, default=1e-4)
    args = p.parse_args()
    if not args.data.startswith("idx:"):
        raise SystemExit("--data: this check reads idx:DIR data, found " + args.data)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    encoder = load_encoder(args.checkpoint)
    images = idx_images(args.data[4:], args.split)
    expected = np.load(args.expect)
    if expected.shape[0] != images.shape[0]:
        raise SystemExit("%s has %d rows, the %s split %d images" % (
            args.expect, expected.shape[0], args.split, images.shape[0]))
    features = torch.cat([encoder(encoder.standardise(images[i:i + 1000]))
                          for i in range(0, len(images), 1000)]).numpy()
    difference = float(np.abs(features - expected).max())
    scale = float(np.abs(expected).max())
    print("%s: %d x %d features, max |PyTorch - selfsup| = %.3g (values up to %.3g)"
          % (args.checkpoint, features.shape[0], features.shape[1], difference, scale))
    if features.shape != expected.shape or difference > args.tolerance * max(1.0, scale):
        print("MISMATCH", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
