#!/usr/bin/env python3
"""PyTorch peer of `selfsup bench embed`: the inference pass of embed, eval and the kNN monitor.

Random 8-bit images (--images of them) are standardised per channel and run through the backbone
of train_step.py (same layers, fresh weights) in eval mode under torch.inference_mode(), in
batches of 256; prints one JSON object with the median wall time of --repeats passes (after one
warm-up batch) and the set-up it ran on (peer_setup.setup), and refuses an unsound set-up unless
--allow-unsound-setup. By default the model is what a PyTorch user writes (model.eval(), PyTorch's
own memory layout); --channels-last, --fold (batch norm folded into the convolutions by
torch.fx.experimental.optimization.fuse) and --precision bf16 give it what selfsup does.
"""
import argparse
import json
import statistics
import time

import torch
import torch.fx.experimental.optimization
import torch.nn as nn

import train_step
from peer_setup import add_unsound_setup_option, sound_setup

BATCH = 256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backbone", default="small-resnet", choices=["mlp", "small-resnet", "resnet18"])
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                        help="bf16: under torch.autocast('cpu', bfloat16), as selfsup's --precision bf16")
    parser.add_argument("--channels-last", action="store_true",
                        help="model and input in torch.channels_last, selfsup's layout for the conv nets")
    parser.add_argument("--fold", action="store_true",
                        help="fold each batch norm into the convolution before it (torch.fx), as selfsup's inference")
    add_unsound_setup_option(parser)
    args = parser.parse_args()
    info = sound_setup(args.threads, args.allow_unsound_setup)
    torch.manual_seed(0)
    c, s = args.channels, args.image_size
    if args.backbone == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(c * s * s, 512), nn.ReLU(), nn.Linear(512, 128))
    else:
        widths = [64, 128, 256, 512] if args.backbone == "resnet18" else [16, 32, 64, 128]
        model, _ = train_step.resnet(c, widths, 2 if args.backbone == "resnet18" else 1)
    model.eval()
    if args.fold:
        model = torch.fx.experimental.optimization.fuse(model)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    generator = torch.Generator().manual_seed(0)
    pixels = torch.randint(0, 256, (args.images, c, s, s), dtype=torch.uint8, generator=generator)
    scaled = pixels.float() / 255
    mean = scaled.mean(dim=(0, 2, 3), keepdim=True)
    std = scaled.std(dim=(0, 2, 3), keepdim=True)

    def embed(count):
        out = []
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                     enabled=args.precision == "bf16"):
            for start in range(0, count, BATCH):
                x = (pixels[start:start + BATCH].float() / 255 - mean) / std
                if args.channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                out.append(model(x).float())
        return torch.cat(out)

    embed(min(BATCH, args.images))  # warm-up
    seconds = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        features = embed(args.images)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({"benchmark": "embed", "peer": "pytorch " + torch.__version__, "model": args.backbone,
                      "input": f"{c}x{s}x{s}", "images": args.images, "threads": args.threads,
                      "repeats": args.repeats, "precision": args.precision,
                      "memory_format": "channels_last" if args.channels_last else "contiguous",
                      "batch_norm_folded": args.fold, "dim": features.shape[1],
                      "median_seconds": round(median, 3),
                      "images_per_second": round(args.images / median, 1),
                      "setup": info}))


if __name__ == "__main__":
    main()
