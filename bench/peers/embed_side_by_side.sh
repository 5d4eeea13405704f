#!/bin/bash
# selfsup bench embed against the PyTorch peer (bench/peers/embed.py), interleaved, ROUNDS times:
# small-resnet on 1x28x28 and resnet18 on 3x32x32, fp32 and bf16, selfsup with and without the
# batch-norm fold, the peer plain and with channels-last + folded batch norm. Run from the
# repository root; prints one line per run (the JSON lines' figures).
set -euo pipefail
rounds=${1:-2}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
summary='import json, sys
d = json.loads(sys.stdin.read().strip().splitlines()[-1])
side = "peer " + d["memory_format"] if "peer" in d else "selfsup"
print(side, d["model"], d["precision"], "fold" if d["batch_norm_folded"] else "nofold",
      d["images_per_second"])'
ours() { ./selfsup bench embed --threads 2 --json "$@" | python3 -c "$summary"; }
unfolded() { SELFSUP_JAVA_OPTS="-Xmx8g -Dselfsup.foldBatchNorm=false" ours "$@"; }
peer() { LD_PRELOAD=$tcmalloc /usr/bin/python3 bench/peers/embed.py --threads 2 "$@" | python3 -c "$summary"; }
bf16=()
grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo && bf16=(--precision bf16)
for round in $(seq "$rounds"); do
  date -u +%T
  for sizes in "--backbone small-resnet --channels 1 --image-size 28 --images 20000" \
               "--backbone resnet18 --channels 3 --image-size 32 --images 2048"; do
    set -- $sizes --repeats 3
    ours "$@"; unfolded "$@"; peer "$@"; peer "$@" --channels-last --fold
    if [ ${#bf16[@]} -gt 0 ]; then
      ours "$@" "${bf16[@]}"; unfolded "$@" "${bf16[@]}"; peer "$@" --channels-last --fold "${bf16[@]}"
    fi
  done
done
