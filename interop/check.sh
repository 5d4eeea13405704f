#!/usr/bin/env bash
# Checks the PyTorch loader (interop/selfsup_torch.py) against selfsup's own embeddings for every
# backbone family: a one-epoch run of each on 512 Fashion-MNIST images, `selfsup embed` of the
# test split, and the loader's features for the same images, which must agree to 1e-4 (relative
# to the largest feature). Needs: apt-get install -y python3-torch libopenblas0-pthread
#
# usage: bash interop/check.sh [OUT_DIR]          (OUT_DIR defaults to a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
data="idx:${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
out=${1:-$(mktemp -d)}
mkdir -p "$out"
for backbone in mlp small-resnet resnet18; do
  run="$out/$backbone"
  rm -rf "$run"
  ./selfsup pretrain --method simclr --backbone "$backbone" --data "$data" --train-size 512 \
      --test-size 256 --epochs 1 --out "$run" > "$out/$backbone.log" 2>&1 \
      || { cat "$out/$backbone.log" >&2; exit 1; }
  ./selfsup embed --checkpoint "$run" --data "$data" --out "$out/$backbone.npy" > /dev/null
  /usr/bin/python3 interop/selfsup_torch.py "$run" --data "$data" --expect "$out/$backbone.npy"
done
