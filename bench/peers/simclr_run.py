#!/usr/bin/env python3
"""PyTorch peer of a whole `selfsup pretrain --method simclr` run on Fashion-MNIST (or MNIST).

Trains what selfsup trains and measures it the same way, so that per-epoch time and kNN can be
compared (bench/peers/compare_run.sh runs both sides and prints the ratios):

  backbone   small-resnet: CIFAR stem (3x3 conv, no max-pool), one BasicBlock per stage at
             16-32-64-128 channels, global average pool; convolutions Kaiming-normal (fan-out)
  head       Linear(128, 128) - BatchNorm1d - ReLU - Linear(128, 128)
  loss       NT-Xent at temperature T over both views (2N - 2 negatives per anchor)
  views      per view and sample: RandomResizedCrop(scale [S, 1], ratio [3/4, 4/3]) with bilinear
             resampling, horizontal flip p 0.5, brightness and contrast jitter 0.8s (random order; s = config.json's color_jitter_strength, 0.5 when absent)
             with p 0.8 (saturation and hue do nothing on one channel), clamp to [0, 1], then
             standardise with the training split's mean and std. Done in batches with torch ops on
             the training thread (affine_grid + grid_sample for crop and flip), as a PyTorch user
             would without a DataLoader worker.
  optimiser  Adam(lr, eps 1e-8, L2 weight decay W inside Adam, as selfsup's `adam`)
  schedule   per step: linear warm-up from lr/warmup_steps to lr over the warm-up epochs, then
             cosine decay to 0 over the remaining steps; the last incomplete batch is dropped
  monitor    after every epoch: backbone features (eval mode) of the un-augmented standardised
             images, cosine kNN with k = 200 and weights exp(sim / 0.1), the training split as
             the bank, top-1 on the test split; its time is reported apart from training

Run `--config RUN/config.json` to take method settings and sizes from a selfsup run; command-line
options override. Prints its set-up first (torch build, BLAS, threads, environment, CPU and a
float32 GEMM sanity figure), then one line per epoch; `--json OUT` writes all of it.
"""
import argparse
import gzip
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_setup import setup, unsound_setup
from train_step import head, nt_xent, resnet


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not an unsigned-byte idx file" % path)
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, prefix, kind):
    for name in ("%s-%s-idx%s-ubyte" % (prefix, kind, "3" if kind == "images" else "1"),):
        for candidate in (name + ".gz", name):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                return path
    raise FileNotFoundError("%s: no %s %s idx file" % (directory, prefix, kind))


def load(directory, train_size, test_size, seed):
    splits = []
    for prefix, size in (("train", train_size), ("t10k", test_size)):
        images = read_idx(find(directory, prefix, "images"))
        labels = read_idx(find(directory, prefix, "labels"))
        if size is not None and size < len(images):
            keep = np.random.default_rng(seed).choice(len(images), size, replace=False)
            images, labels = images[keep], labels[keep]
        x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
        splits.append((x, torch.from_numpy(labels.astype(np.int64))))
    return splits


def views(x, min_scale, jitter_strength, generator):
    """One augmented view of every image of x (N, 1, H, W) in [0, 1]."""
    n = x.shape[0]
    area = torch.empty(n).uniform_(min_scale, 1.0, generator=generator)
    log_ratio = torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3), generator=generator)
    ratio = torch.exp(log_ratio)
    w = torch.sqrt(area * ratio).clamp(max=1.0)  # crop width / image width
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (torch.rand(n, generator=generator) * 2 - 1) * (1 - w)  # centre in [-1 + w, 1 - w]
    cy = (torch.rand(n, generator=generator) * 2 - 1) * (1 - h)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    v = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    jitter = torch.rand(n, generator=generator) < 0.8
    # SimCLR's jitter of strength s: brightness and contrast factors from [max(0, 1 - 0.8s), 1 + 0.8s]
    low, high = max(0.0, 1 - 0.8 * jitter_strength), 1 + 0.8 * jitter_strength
    b = torch.empty(n).uniform_(low, high, generator=generator).view(n, 1, 1, 1)
    c = torch.empty(n).uniform_(low, high, generator=generator).view(n, 1, 1, 1)
    brightness_first = (torch.rand(n, generator=generator) < 0.5).view(n, 1, 1, 1)

    def brightness(t):
        return (t * b).clamp(0, 1)

    def contrast(t):
        mean = t.mean(dim=(1, 2, 3), keepdim=True)
        return ((t - mean) * c + mean).clamp(0, 1)

    jittered = torch.where(brightness_first, contrast(brightness(v)), brightness(contrast(v)))
    return torch.where(jitter.view(n, 1, 1, 1), jittered, v)


def knn_top1(backbone, train, test, mean, std, k=200, temperature=0.1, batch=1024):
    backbone.eval()
    with torch.no_grad():
        def embed(x):
            return torch.cat([F.normalize(backbone((x[i:i + batch] - mean) / std), dim=1)
                              for i in range(0, len(x), batch)])
        bank, queries = embed(train[0]), embed(test[0])
        classes = int(train[1].max()) + 1
        correct = 0
        for i in range(0, len(queries), batch):
            sim = queries[i:i + batch] @ bank.t()
            top, index = sim.topk(min(k, bank.shape[0]), dim=1)
            weights = torch.exp(top / temperature)
            votes = torch.zeros(len(top), classes).scatter_add_(1, train[1][index], weights)
            correct += int((votes.argmax(1) == test[1][i:i + batch]).sum())
    backbone.train()
    return correct / len(queries)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", help="a selfsup run's config.json: settings and sizes from it")
    p.add_argument("--data", help="idx directory (default: the config's, else Fashion-MNIST)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--weight-decay", type=float)
    p.add_argument("--temperature", type=float)
    p.add_argument("--min-crop-scale", type=float)
    p.add_argument("--warmup-epochs", type=int)
    p.add_argument("--train-size", type=int)
    p.add_argument("--test-size", type=int)
    p.add_argument("--threads", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--json", help="write set-up and per-epoch figures here")
    p.add_argument("--allow-unsound-setup", action="store_true",
                   help="run even with the reference BLAS or a slow GEMM sanity figure")
    args = p.parse_args()

    s = {"data": "/usr/share/datasets/fashion-mnist", "epochs": 10, "batch_size": 128,
         "lr": 2e-3, "weight_decay": 1e-6, "temperature": 0.2, "min_crop_scale": 0.2,
         "color_jitter_strength": 0.5, "warmup_epochs": 1, "train_size": None, "test_size": None, "threads": 2, "seed": 0}
    if args.config:
        with open(args.config) as f:
            c = json.load(f)["config"]
        if c["method"] != "simclr" or c["backbone"] != "small-resnet" or c["recipe"] != "simclr":
            raise SystemExit("%s: the peer trains simclr with small-resnet and the simclr recipe, "
                             "found %s / %s / %s" % (args.config, c["method"], c["backbone"],
                                                     c["recipe"]))
        if c["optimizer"] != "adam":
            raise SystemExit("%s: the peer uses adam, found %s" % (args.config, c["optimizer"]))
        s.update(data=c["data"].split(":", 1)[1], epochs=c["epochs"], batch_size=c["batch_size"],
                 lr=c["learning_rate"], weight_decay=c["weight_decay"],
                 temperature=c["temperature"],
                 min_crop_scale=c["min_crop_scale"] if c["min_crop_scale"] is not None else 0.08,
                 color_jitter_strength=c.get("color_jitter_strength") or 0.5,
                 warmup_epochs=c["warmup_epochs"], train_size=c["data_options"]["trainSize"],
                 test_size=c["data_options"]["testSize"], threads=c["threads"], seed=c["seed"])
    for key in s:
        value = getattr(args, key, None)
        if value is not None:
            s[key] = value

    torch.set_num_threads(s["threads"])
    torch.manual_seed(s["seed"])
    generator = torch.Generator().manual_seed(s["seed"])
    info = {"setup": setup(s["threads"]), "settings": s, "epochs": []}
    print("peer set-up: " + json.dumps(info["setup"]))
    print("peer settings: " + json.dumps(s))
    unsound = unsound_setup(info["setup"])
    if unsound and not args.allow_unsound_setup:
        raise SystemExit("peer set-up unsound, not run: " + unsound + " (--allow-unsound-setup "
                         "runs it anyway; its times would not be PyTorch's)")

    train, test = load(s["data"], s["train_size"], s["test_size"], s["seed"])
    mean, std = train[0].mean(), train[0].std()
    backbone, dim = resnet(1, [16, 32, 64, 128], 1)
    for m in backbone.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    projection = head(dim)
    params = list(backbone.parameters()) + list(projection.parameters())
    optimizer = torch.optim.Adam(params, lr=s["lr"], eps=1e-8, weight_decay=s["weight_decay"])
    steps_per_epoch = len(train[0]) // s["batch_size"]
    total = steps_per_epoch * s["epochs"]
    warmup = steps_per_epoch * s["warmup_epochs"] if s["epochs"] > 1 else 0
    step = 0
    for epoch in range(1, s["epochs"] + 1):
        start = time.perf_counter()
        order = torch.randperm(len(train[0]), generator=generator)
        losses = []
        for i in range(steps_per_epoch):
            if step < warmup:
                lr = s["lr"] * (step + 1) / warmup
            else:
                progress = min(1.0, (step - warmup) / max(1, total - warmup))
                lr = s["lr"] * 0.5 * (1 + math.cos(math.pi * progress))
            for group in optimizer.param_groups:
                group["lr"] = lr
            x = train[0][order[i * s["batch_size"]:(i + 1) * s["batch_size"]]]
            v1 = (views(x, s["min_crop_scale"], s["color_jitter_strength"], generator) - mean) / std
            v2 = (views(x, s["min_crop_scale"], s["color_jitter_strength"], generator) - mean) / std
            z = projection(backbone(torch.cat([v1, v2])))
            loss = nt_xent(z[:len(x)], z[len(x):], s["temperature"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
            step += 1
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        knn = knn_top1(backbone, train, test, mean, std)
        knn_seconds = time.perf_counter() - start
        row = {"epoch": epoch, "loss": sum(losses) / len(losses), "epoch_seconds": train_seconds,
               "knn_top1": knn, "knn_seconds": knn_seconds,
               "views_per_second": 2 * steps_per_epoch * s["batch_size"] / train_seconds}
        info["epochs"].append(row)
        print("peer epoch %d: loss %.4f  %.1f s  %.0f views/s  knn_top1 %.4f  (kNN %.1f s)"
              % (epoch, row["loss"], train_seconds, row["views_per_second"], knn, knn_seconds),
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
