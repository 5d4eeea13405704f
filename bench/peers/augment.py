#!/usr/bin/env python3
"""torchvision peer of `selfsup bench augment`: SimCLR's CIFAR views on one thread.

RandomResizedCrop(size, (0.08, 1)), RandomHorizontalFlip, ColorJitter(0.4, 0.4, 0.4, 0.1) p=0.8,
RandomGrayscale(0.2), on uint8 tensors of random images; prints one JSON object with views/s.
"""
import argparse
import json
import time

import torch
from torchvision import transforms as T


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    s, c = args.image_size, args.channels
    jitter = T.ColorJitter(0.4, 0.4, 0.4 if c == 3 else 0, 0.1 if c == 3 else 0)
    steps = [T.RandomResizedCrop(s, scale=(0.08, 1.0), antialias=True), T.RandomHorizontalFlip(),
             T.RandomApply([jitter], p=0.8)]
    if c == 3:
        steps.append(T.RandomGrayscale(0.2))
    recipe = T.Compose(steps)
    images = torch.randint(0, 256, (256, c, s, s), dtype=torch.uint8).float() / 255
    for i in range(200):
        recipe(images[i % 256])
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for i in range(64):
            recipe(images[(count + i) % 256])
        count += 64
    elapsed = time.perf_counter() - start
    print(json.dumps({"benchmark": "augment", "peer": "torchvision", "channels": c, "image_size": s,
                      "threads": 1, "views_per_second": round(count / elapsed)}))


if __name__ == "__main__":
    main()
