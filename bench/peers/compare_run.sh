#!/usr/bin/env bash
# Runs a whole SimCLR training run twice, selfsup then its PyTorch peer (simclr_run.py) with the
# settings selfsup resolved (read from the run's config.json), never both at once, and prints
# per-epoch training time and kNN top-1 side by side, with both set-ups.
#
# needs: apt-get install -y python3-torch libopenblas0-pthread (without OpenBLAS, Debian's torch
# uses the reference BLAS, about 30x slower at GEMM; the peer refuses to run so set up)
#
# usage: bash bench/peers/compare_run.sh [--epochs N] [--train-size N] [--test-size N]
#            [--threads N] [--out DIR] [--peer-only] [other selfsup pretrain options...]
# defaults: 3 epochs, all of Fashion-MNIST, 2 threads, DIR = runs/compare
# --peer-only keeps the selfsup run already in DIR/selfsup and runs (again) only the peer, e.g.
# after fixing the peer's set-up.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="runs/compare"
epochs=3
threads=2
pass=()
peer_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --peer-only) peer_only=1; shift ;;
    *) pass+=("$1"); shift ;;
  esac
done
data="${DATA:-idx:/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"
if [ "$peer_only" = 0 ]; then
  rm -rf "$out/selfsup"
  echo "== selfsup"
  "$root/selfsup" pretrain --method simclr --data "$data" --epochs "$epochs" --threads "$threads" \
    --eval-every 1 --out "$out/selfsup" "${pass[@]}" | grep -v '^epoch .*steps' || true
fi
[ -f "$out/selfsup/metrics.jsonl" ] || { echo "selfsup run failed" >&2; exit 1; }
echo "== PyTorch peer"
# OpenBLAS 0.3.21 does not know every newer CPU; where the machine forces its AVX2 kernels
# (OPENBLAS_CORETYPE=Haswell) on an AVX-512 CPU, give the peer the AVX-512 ones, or it runs slow
if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
(cd "$root/bench/peers" && OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 simclr_run.py \
  --config "$out/selfsup/config.json" --json "$out/peer.json")
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
config = json.load(open(out + "/selfsup/config.json"))
ours = [json.loads(l) for l in open(out + "/selfsup/metrics.jsonl")]
peer = json.load(open(out + "/peer.json"))
print()
print("selfsup set-up: " + json.dumps({k: config.get(k) for k in ("versions", "environment")}))
print("selfsup settings: " + json.dumps(config["config"]))
print("peer set-up: " + json.dumps(peer["setup"]))
print()
print("| epoch | selfsup s | peer s | time ratio (peer / selfsup) | selfsup kNN | peer kNN | kNN diff |")
print("|---|---|---|---|---|---|---|")
for a, b in zip(ours, peer["epochs"]):
    print("| %d | %.1f | %.1f | %.2f | %.4f | %.4f | %+.4f |" % (
        a["epoch"], a["epoch_seconds"], b["epoch_seconds"], b["epoch_seconds"] / a["epoch_seconds"],
        a["knn_top1"], b["knn_top1"], a["knn_top1"] - b["knn_top1"]))
PY
