#!/usr/bin/env python3
"""PyTorch peer of `selfsup bench train`: the same step on random inputs.

forward (backbone [+ projection head]) + NT-Xent (t = 0.5) + backward + Adam(lr 1e-3);
prints one JSON object with the median step time over the steps after one warm-up step and the
set-up it ran on (peer_setup.setup: torch build, BLAS loaded, threads, environment, GEMM sanity
figure); refuses to run on a set-up that would make PyTorch slow, unless --allow-unsound-setup.
  mlp          : flatten -> 512 -> ReLU -> 128, NT-Xent on the 128-d output
  resnet18     : ResNet-18 with the CIFAR stem (3x3 conv, no max-pool) + 512 -> 512 -> 128 head
  small-resnet : CIFAR stem, one BasicBlock per stage at 16-32-64-128 + 128 -> 128 -> 128 head
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_setup import add_unsound_setup_option, sound_setup


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / temperature
    logits = logits - torch.eye(2 * n) * 1e9
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, targets)


class Block(nn.Module):
    inplace = False  # --inplace: torchvision's BasicBlock, "out += identity; relu(out, inplace)"

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)), inplace=Block.inplace)))
        identity = x if self.short is None else self.short(x)
        if Block.inplace:
            y += identity
            return F.relu(y, inplace=True)
        return F.relu(y + identity)


def resnet(channels, widths, blocks):
    layers = [nn.Conv2d(channels, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]),
              nn.ReLU(inplace=Block.inplace)]
    cin = widths[0]
    for stage, w in enumerate(widths):
        for b in range(blocks):
            layers.append(Block(cin, w, 2 if stage > 0 and b == 0 else 1))
            cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), cin


def head(dim):
    return nn.Sequential(nn.Linear(dim, dim), nn.BatchNorm1d(dim), nn.ReLU(inplace=Block.inplace),
                         nn.Linear(dim, 128))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backbone", default="mlp")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                        help="bf16: the backbone under torch.autocast('cpu', bfloat16), as selfsup's --precision bf16")
    parser.add_argument("--channels-last", action="store_true",
                        help="model and input in torch.channels_last, the layout selfsup's residual "
                             "backbones run in (for the conv nets; the default is PyTorch's own)")
    parser.add_argument("--inplace", action="store_true",
                        help="ReLU and the residual sum in place, as torchvision's ResNet (and "
                             "selfsup) compute them")
    parser.add_argument("--profile", metavar="TRACE",
                        help="write torch.profiler's Chrome trace of the timed steps there (sum it "
                             "with bench/trace_summary.py TRACE --steps N, as selfsup's own "
                             "`bench train --profile`); the profiler's cost makes the steps read high")
    add_unsound_setup_option(parser)
    args = parser.parse_args()
    info = sound_setup(args.threads, args.allow_unsound_setup)
    torch.manual_seed(0)
    Block.inplace = args.inplace
    c, s = args.channels, args.image_size
    if args.backbone == "mlp":
        body, top = nn.Sequential(nn.Flatten(), nn.Linear(c * s * s, 512), nn.ReLU(), nn.Linear(512, 128)), nn.Identity()
    elif args.backbone == "resnet18":
        body, dim = resnet(c, [64, 128, 256, 512], 2)
        top = head(dim)
    elif args.backbone == "small-resnet":
        body, dim = resnet(c, [16, 32, 64, 128], 1)
        top = head(dim)
    else:
        raise SystemExit("unknown backbone " + args.backbone)
    model = nn.Sequential(body, top)

    def forward(images):
        if args.precision == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                features = body(images)
            return top(features.float())
        return model(images)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2 * args.batch_size, c, s, s)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    times = []
    profiler = None
    for step in range(args.steps + 1):
        if step == 1 and args.profile:
            profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
            profiler.__enter__()
        start = time.perf_counter()
        z = forward(x)
        loss = nt_xent(z[: args.batch_size], z[args.batch_size:], 0.5)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step > 0:
            times.append((time.perf_counter() - start) * 1000)
    if profiler is not None:
        profiler.__exit__(None, None, None)
        profiler.export_chrome_trace(args.profile)
    median = statistics.median(times)
    print(json.dumps({"benchmark": "train", "peer": "pytorch " + torch.__version__, "model": args.backbone,
                      "batch": args.batch_size, "input": f"{c}x{s}x{s}", "threads": args.threads,
                      "steps": args.steps, "precision": args.precision,
                      "memory_format": "channels_last" if args.channels_last else "contiguous",
                      "inplace": args.inplace,
                      "median_step_ms": round(median, 1),
                      "views_per_second": round(2 * args.batch_size / median * 1000),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "setup": info}))


if __name__ == "__main__":
    main()
