#!/usr/bin/env bash
# Runs selfsup's benchmarks and their PyTorch peers in turn on this machine and prints the ratios.
# Needs Debian's python3-torch, python3-torchvision and an optimised BLAS for the peer:
#   apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
# (without libopenblas, Debian's torch falls back to the reference BLAS and runs ~30x slower).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$root/bench/peers"
python=/usr/bin/python3   # Debian's python, which python3-torch installs into
export OMP_WAIT_POLICY=PASSIVE
ratio() { "$python" -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); k=sys.argv[3]; print(f'{k}: selfsup {a[k]} vs pytorch {b[k]} -> ratio {(b[k]/a[k] if k.endswith(\"ms\") else a[k]/b[k]):.2f} (>= 1 favours selfsup)')" "$1" "$2" "$3"; }
for model in mlp small-resnet; do
  steps=10; [ "$model" = small-resnet ] && steps=3
  ours=$("$root/selfsup" bench train --backbone "$model" --batch-size 256 --steps $steps --threads 2 --json | tail -1)
  theirs=$("$python" "$peers/train_step.py" --backbone "$model" --batch-size 256 --steps $steps --threads 2)
  echo "train $model"; echo "  $ours"; echo "  $theirs"
  echo "  $(ratio "$ours" "$theirs" median_step_ms)"
done
for spec in "3 32" "1 28"; do
  set -- $spec
  ours=$("$root/selfsup" bench augment --recipe simclr --channels "$1" --image-size "$2" --threads 1 --json | tail -1)
  theirs=$("$python" "$peers/augment.py" --channels "$1" --image-size "$2")
  echo "augment ${1}x${2}x${2}"; echo "  $ours"; echo "  $theirs"
  echo "  $(ratio "$ours" "$theirs" views_per_second)"
done
