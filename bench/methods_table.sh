#!/usr/bin/env bash
# Regenerates the methods benchmark table of README.md and BENCHMARKS.md: every method on the
# built-in shapes and on Fashion-MNIST under one protocol (backbone small-resnet, 3 epochs of
# 5,000 training images, batch 128, Adam lr 5e-3, seed 0; the simclr recipe's crops of at least
# 80%), evaluated on 1,000 test images by kNN (k=200, T=0.1) and a linear probe, next to the
# raw-pixel and random-init baselines. About half an hour on 2 cores for all methods.
#
# Usage: bash bench/methods_table.sh [OUT_DIR] [METHOD...]
#   OUT_DIR defaults to runs/table; METHODs default to every method. Rows already measured (or
#   refused: delete OUT_DIR/DATA/METHOD.refused to retry) in OUT_DIR are kept, so the table can be
#   built in parts. Writes OUT_DIR/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/table}
shift || true
methods=("$@")
if [ ${#methods[@]} -eq 0 ]; then
  methods=(simclr tutorial moco byol simsiam barlow-twins vicreg
           rotation colorization inpainting masked-image autoencoder denoising-autoencoder)
fi
epochs=${EPOCHS:-3}
common="--backbone small-resnet --epochs $epochs --batch-size 128 --lr 5e-3 --seed 0 --eval-every $epochs"
# the two-view methods train with the simclr recipe, whose crops this protocol keeps large
crop_methods=" simclr moco byol simsiam barlow-twins vicreg "
declare -A data=(
  [shapes]="--data shapes --train-size 5000 --test-size 1000"
  [fashion-mnist]="--data idx:/usr/share/datasets/fashion-mnist --train-size 5000 --test-size 1000"
)
mkdir -p "$out"
./selfsup --help >/dev/null # build once, before any timing

for name in shapes fashion-mnist; do
  spec=${data[$name]}
  dir="$out/$name"
  mkdir -p "$dir"
  if [ ! -s "$dir/raw-pixels.json" ]; then
    ./selfsup eval all $spec --json | tail -n 1 > "$dir/raw-pixels.json"
  fi
  if [ ! -s "$dir/random-init.json" ]; then
    ./selfsup eval all $spec --random-init small-resnet --json | tail -n 1 > "$dir/random-init.json"
  fi
  for method in "${methods[@]}"; do
    run="$dir/$method"
    if [ -s "$run/eval.json" ] || [ -s "$dir/$method.refused" ]; then
      continue
    fi
    rm -rf "$run"
    echo "== $method on $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    options="$common"
    if [[ "$crop_methods" == *" $method "* ]]; then
      options="$options --min-crop-scale 0.8"
    fi
    rm -f "$dir/$method.refused"
    if ! ./selfsup pretrain --method "$method" $spec $options --out "$run" > "$dir/$method.log" 2>&1; then
      # a method that refuses the data (colorization on gray images) gets a row saying why
      tail -n 1 "$dir/$method.log" > "$dir/$method.refused"
      echo "   refused: $(cat "$dir/$method.refused")"
      continue
    fi
    ./selfsup eval all $spec --checkpoint "$run" --json | tail -n 1 > "$run/eval.json"
    echo "./selfsup pretrain --method $method $spec $options --out $run" > "$run/command.txt"
  done
done

python3 - "$out" "$epochs" "${methods[@]}" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1]); epochs = sys.argv[2]; methods = sys.argv[3:]
lines = ["| data | method | kNN top-1 | linear top-1 | embedding_std | train s | peak RSS MiB |",
         "|---|---|---|---|---|---|---|"]
def fmt(x, p=4):
    return "-" if x is None else f"{x:.{p}f}"
for name in ["shapes", "fashion-mnist"]:
    d = out / name
    for base in ["raw-pixels", "random-init"]:
        f = d / f"{base}.json"
        if f.exists():
            r = json.loads(f.read_text())
            lines.append(f"| {name} | *{base}* | {fmt(r.get('knn_top1'))} | {fmt(r.get('linear_top1'))} | - | - | - |")
    for m in methods:
        refused = d / f"{m}.refused"
        e = d / m / "eval.json"
        if refused.exists():
            lines.append(f"| {name} | {m} | refused: {refused.read_text().strip().replace('|', '/')} | | | | |")
            continue
        if not e.exists():
            continue
        r = json.loads(e.read_text())
        metrics = [json.loads(l) for l in (d / m / "metrics.jsonl").read_text().splitlines() if l.strip()]
        last = metrics[-1]
        seconds = sum(x["epoch_seconds"] for x in metrics)
        lines.append(f"| {name} | {m} | {fmt(r.get('knn_top1'))} | {fmt(r.get('linear_top1'))} | "
                     f"{fmt(last.get('embedding_std'), 3)} | {seconds:.0f} | {fmt(last.get('peak_rss_mb'), 0)} |")
(out / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
