#!/usr/bin/env bash
# Regenerates the methods benchmark tables of docs/methods.md and BENCHMARKS.md: every image method
# under one protocol, next to the raw-pixel and random-init baselines.
#
#   PROTOCOL=small (the default): the built-in shapes and Fashion-MNIST, 3 epochs of 5,000 training
#     images, backbone small-resnet, batch 128, Adam lr 5e-3, seed 0, the simclr recipe's crops of
#     at least 80%; kNN (k=200, T=0.1) and a linear probe on 1,000 test images. About half an hour
#     on 2 cores.
#   PROTOCOL=all: all of Fashion-MNIST (60,000 / 10,000) with the defaults pretrain picks for the
#     data (no tuning flags), EPOCHS epochs (default 1), seed 0; kNN and linear probe with all
#     labels and with 60 and 600 per class (1% and 10%; LABELS_PER_CLASS=60 for the first alone;
#     3 seeded subsets); random-init baselines of small-resnet and
#     of mlp (tutorial's backbone). About 25 minutes on 2 cores.
#
# Usage: [PROTOCOL=small|all] [EPOCHS=N] bash bench/methods_table.sh [OUT_DIR] [METHOD...]
#   OUT_DIR defaults to runs/table (runs/table-all); METHODs default to every image method; a
#   METHOD@BACKBONE row trains that method on that backbone (e.g. simclr@vit-mini). Rows
#   already measured (or refused: delete OUT_DIR/DATA/METHOD.refused to retry) in OUT_DIR are kept,
#   so the table can be built in parts. Writes OUT_DIR/table.md.
set -euo pipefail
cd "$(dirname "$0")/.."
protocol=${PROTOCOL:-small}
out=${1:-runs/table$([ "$protocol" = all ] && echo -all)}
shift || true
methods=("$@")
if [ ${#methods[@]} -eq 0 ]; then
  methods=(simclr tutorial moco byol simsiam barlow-twins vicreg nnclr dino ibot
           rotation colorization inpainting masked-image autoencoder denoising-autoencoder mae)
fi
declare -A data
case "$protocol" in
  small)
    epochs=${EPOCHS:-3}
    common="--backbone small-resnet --epochs $epochs --batch-size 128 --lr 5e-3 --seed 0 --eval-every $epochs"
    # the two-view methods train with the simclr recipe, whose crops this protocol keeps large
    crop_methods=" simclr moco byol simsiam barlow-twins vicreg "
    names=(shapes fashion-mnist)
    data[shapes]="--data shapes --train-size 5000 --test-size 1000"
    data[fashion-mnist]="--data idx:/usr/share/datasets/fashion-mnist --train-size 5000 --test-size 1000"
    eval_options="" ;;
  all)
    epochs=${EPOCHS:-1}
    common="--epochs $epochs --seed 0 --eval-every $epochs"
    crop_methods=""
    names=(fashion-mnist-all)
    data[fashion-mnist-all]="--data idx:/usr/share/datasets/fashion-mnist"
    eval_options="--labels-per-class ${LABELS_PER_CLASS:-60,600} --repeats 3" ;;
  *) echo "PROTOCOL must be small or all, found '$protocol'" >&2; exit 2 ;;
esac
mkdir -p "$out"
./selfsup --help >/dev/null # build once, before any timing

for name in "${names[@]}"; do
  spec=${data[$name]}
  dir="$out/$name"
  mkdir -p "$dir"
  if [ ! -s "$dir/raw-pixels.json" ]; then
    ./selfsup eval all $spec $eval_options --json | tail -n 1 > "$dir/raw-pixels.json"
  fi
  if [ ! -s "$dir/random-init.json" ]; then
    ./selfsup eval all $spec $eval_options --random-init small-resnet --json | tail -n 1 > "$dir/random-init.json"
  fi
  if [ "$protocol" = all ] && [ ! -s "$dir/random-init-mlp.json" ]; then
    ./selfsup eval all $spec $eval_options --random-init mlp --json | tail -n 1 > "$dir/random-init-mlp.json"
  fi
  # the random-init baseline of every other backbone a row names (mae trains vit-mini)
  for backbone in $(printf '%s\n' "${methods[@]}" | sed -n 's/.*@//p; s/^mae$/vit-mini/p; s/^ibot$/vit-mini/p' | sort -u); do
    if [ ! -s "$dir/random-init-$backbone.json" ]; then
      ./selfsup eval all $spec $eval_options --random-init "$backbone" --json | tail -n 1 \
        > "$dir/random-init-$backbone.json"
    fi
  done
  for row in "${methods[@]}"; do
    method=${row%@*}
    backbone_option=""
    if [[ "$row" == *@* ]]; then
      backbone_option="--backbone ${row#*@}"
    fi
    run="$dir/$row"
    if [ -s "$run/eval.json" ] || [ -s "$dir/$row.refused" ]; then
      continue
    fi
    rm -rf "$run"
    echo "== $row on $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    options="$common"
    if [ -n "$backbone_option" ]; then
      options="${common/--backbone small-resnet/} $backbone_option"
    fi
    if [[ -n "$crop_methods" && "$crop_methods" == *" $method "* ]]; then
      options="$options --min-crop-scale 0.8"
    fi
    rm -f "$dir/$row.refused"
    if ! ./selfsup pretrain --method "$method" $spec $options --out "$run" > "$dir/$row.log" 2>&1; then
      # a method that refuses the data (colorization on gray images) gets a row saying why
      tail -n 1 "$dir/$row.log" > "$dir/$row.refused"
      echo "   refused: $(cat "$dir/$row.refused")"
      continue
    fi
    ./selfsup eval all $spec $eval_options --checkpoint "$run" --json | tail -n 1 > "$run/eval.json"
    echo "./selfsup pretrain --method $method $spec $options --out $run" > "$run/command.txt"
  done
done

python3 - "$out" "${names[@]}" -- "${methods[@]}" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
split = sys.argv.index("--")
names, methods = sys.argv[2:split], sys.argv[split + 1:]
label_budget = names == ["fashion-mnist-all"]
def fmt(x, p=4):
    return "-" if x is None else f"{x:.{p}f}"
budgets = ["60/class", "600/class"]
def scores(r):
    """kNN and linear with all labels, then linear and kNN with 60 and 600 per class (mean +- std)"""
    if "rows" not in r:
        return [fmt(r.get("knn_top1")), fmt(r.get("linear_top1"))]
    row = {(x["size"], x["probe"]): x for x in r["rows"] if x["role"] == "main"}
    def few(size, probe):
        x = row.get((size, probe))
        return "-" if x is None else "%.4f ± %.4f" % (x["mean"], x["std"])
    cells = [fmt(row[("all", "knn")]["mean"]), fmt(row[("all", "linear")]["mean"])]
    for size in budgets:
        cells += [few(size, "linear"), few(size, "knn")]
    return cells
header = ["data", "method", "kNN top-1", "linear top-1"]
if label_budget:
    for size in budgets:
        header += [f"linear, {size}", f"kNN, {size}"]
header += ["embedding_std", "train s", "peak RSS MiB"]
lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
for name in names:
    d = out / name
    bases = ["raw-pixels", "random-init", "random-init-mlp"]
    bases += sorted(f.stem for f in d.glob("random-init-*.json") if f.stem not in bases)
    for base in bases:
        f = d / f"{base}.json"
        if f.exists():
            cells = [name, f"*{base}*"] + scores(json.loads(f.read_text())) + ["-", "-", "-"]
            lines.append("| " + " | ".join(cells) + " |")
    for m in methods:
        refused = d / f"{m}.refused"
        e = d / m / "eval.json"
        if refused.exists():
            cells = [name, m, "refused: " + refused.read_text().strip().replace("|", "/")]
            lines.append("| " + " | ".join(cells + [""] * (len(header) - 3)) + " |")
            continue
        if not e.exists():
            continue
        metrics = [json.loads(l) for l in (d / m / "metrics.jsonl").read_text().splitlines() if l.strip()]
        last = metrics[-1]
        seconds = sum(x["epoch_seconds"] for x in metrics)
        cells = [name, m] + scores(json.loads(e.read_text())) + [
            fmt(last.get("embedding_std"), 3), f"{seconds:.0f}", fmt(last.get("peak_rss_mb"), 0)]
        lines.append("| " + " | ".join(cells) + " |")
(out / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
