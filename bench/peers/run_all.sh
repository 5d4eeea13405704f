#!/usr/bin/env bash
# Runs selfsup's benchmarks and their PyTorch peers in turn on this machine and prints the ratios.
#   bash bench/peers/run_all.sh                      # everything: train (mlp, small-resnet, resnet18), augment
#   bash bench/peers/run_all.sh train resnet18       # only the training step of the models named
#   bash bench/peers/run_all.sh augment
#   bash bench/peers/run_all.sh gemm                 # the float32 (and, for PyTorch, bf16) GEMM ceiling
# Needs Debian's python3-torch, python3-torchvision and an optimised BLAS for the peer:
#   apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
# (without libopenblas, Debian's torch falls back to the reference BLAS and runs ~30x slower).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$root/bench/peers"
python=/usr/bin/python3   # Debian's python, which python3-torch installs into
export OMP_WAIT_POLICY=PASSIVE
# OpenBLAS 0.3.21 does not know every newer CPU; where the machine forces its AVX2 kernels
# (OPENBLAS_CORETYPE=Haswell) on an AVX-512 CPU, give the peer the AVX-512 ones, or it runs slow
if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
# The same malloc on both sides. selfsup's launcher preloads tcmalloc where installed; PyTorch
# under glibc's defaults maps and faults its activations afresh every step, which on a VM made
# its conv steps 3-4.6x slower (BENCHMARKS.md, "tcmalloc and OpenBLAS"): a ratio against that
# measures the allocator, not the library. PEER_MALLOC=glibc runs the peer on glibc anyway.
peer_preload=""
if [ "${PEER_MALLOC:-same}" != glibc ]; then
  for lib in /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
      /usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4; do
    if [ -f "$lib" ] && [ "${SELFSUP_MALLOC:-auto}" != glibc ]; then peer_preload="$lib"; break; fi
  done
fi
peer() { LD_PRELOAD="$peer_preload" "$python" "$@"; }
what="${1:-all}"
[ $# -gt 0 ] && shift
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(mlp small-resnet resnet18)
ratio() { "$python" -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); k=sys.argv[3]; print(f'{k}: selfsup {a[k]} vs pytorch {b[k]} -> ratio {(b[k]/a[k] if k.endswith((\"ms\", \"mb\")) else a[k]/b[k]):.2f} (>= 1 favours selfsup)')" "$1" "$2" "$3"; }
if [ "$what" = all ] || [ "$what" = train ]; then
  for model in "${models[@]}"; do
    case "$model" in mlp) steps=10 ;; small-resnet) steps=5 ;; *) steps=3 ;; esac
    echo "train $model (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    ours=$("$root/selfsup" bench train --backbone "$model" --batch-size 256 --steps $steps --threads 2 --json | tail -1)
    theirs=$(peer "$peers/train_step.py" --backbone "$model" --batch-size 256 --steps $steps --threads 2)
    echo "  $ours"; echo "  $theirs"
    echo "  $(ratio "$ours" "$theirs" median_step_ms)"
    echo "  $(ratio "$ours" "$theirs" peak_rss_mb)"
  done
fi
if [ "$what" = all ] || [ "$what" = gemm ]; then
  echo "gemm 4096 (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "  $("$root/selfsup" bench gemm --size 4096 --threads 2 --json | tail -1)"
  echo "  $(peer "$peers/gemm.py" --size 4096 --threads 2)"
fi
if [ "$what" = all ] || [ "$what" = augment ]; then
  for spec in "3 32" "1 28"; do
    set -- $spec
    echo "augment ${1}x${2}x${2} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    ours=$("$root/selfsup" bench augment --recipe simclr --channels "$1" --image-size "$2" --threads 1 --json | tail -1)
    theirs=$(peer "$peers/augment.py" --channels "$1" --image-size "$2")
    echo "  $ours"; echo "  $theirs"
    echo "  $(ratio "$ours" "$theirs" views_per_second)"
  done
fi
