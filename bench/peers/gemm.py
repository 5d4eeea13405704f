#!/usr/bin/env python3
"""PyTorch peer of `selfsup bench gemm`: the matrix-product ceiling of this machine.

Prints one JSON object: median GFLOP/s of (n, n) x (n, n) products in float32 and bfloat16
(2 n^3 operations each, after a warm-up), with the set-up it ran on (peer_setup.setup).
  /usr/bin/python3 bench/peers/gemm.py --size 4096 --threads 2
"""
import argparse
import json

import torch

from peer_setup import gemm_gflops, setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(json.dumps({"benchmark": "gemm", "peer": "pytorch " + torch.__version__,
                      "size": args.size, "threads": args.threads,
                      "fp32_gflops": round(gemm_gflops(args.size, torch.float32, args.repeats), 1),
                      "bf16_gflops": round(gemm_gflops(args.size, torch.bfloat16, args.repeats), 1),
                      "setup": setup(args.threads)}))


if __name__ == "__main__":
    main()
