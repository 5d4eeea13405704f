#!/usr/bin/env bash
# The Spark job on local[2] against single-process `selfsup embed`, same PNGs, same checkpoint
# (docs/spark.md). Usage: bash bench/spark_throughput.sh [WORK_DIR] [TEST_IMAGES]
# Needs Fashion-MNIST (apt-get install dataset-fashion-mnist) and the root installed
# (mvn -B -q -DskipTests install); writes WORK_DIR (default /tmp/spark-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/spark-bench}
count=${2:-5000}
images=$work/fashion
if [ ! -d "$images" ]; then
  java bench/FashionPngs.java /usr/share/datasets/fashion-mnist "$images" 200 "$count"
fi
if [ ! -d "$work/run" ]; then
  ./selfsup pretrain --method simclr --data "folder:$images" --image-size 28 \
    --backbone small-resnet --epochs 1 --batch-size 64 --out "$work/run" > /dev/null
fi
mvn -B -q -f spark/pom.xml package -DskipTests
mvn -B -q -f spark/pom.xml dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt"
opens=$(sed -n 's:.*<spark.java17.options>\(.*\)</spark.java17.options>.*:\1:p' spark/pom.xml)
seconds() { /usr/bin/time -f %e -o "$work/time" "$@" > "$work/log" 2>&1; cat "$work/time"; }
rate() { awk -v n="$count" -v s="$1" 'BEGIN { printf "%.0f images/s (%.1f s wall)", n / s, s }'; }

s=$(seconds ./selfsup embed --checkpoint "$work/run" --data "folder:$images" --image-size 28 \
  --split test --out "$work/embed.parquet")
echo "selfsup embed (one process, all cores):       $(rate "$s")"
for open_cost in default 8192; do
  conf=()
  [ "$open_cost" = default ] || conf=(-Dspark.sql.files.openCostInBytes="$open_cost")
  s=$(seconds java $opens -Dai.djl.offline=true "${conf[@]}" \
    -cp "spark/target/selfsup-spark.jar:$(cat "$work/cp.txt")" dev.selfsup.spark.SparkEmbed \
    --images "$images/test" --checkpoint "$work/run" --out "$work/spark.parquet" --overwrite \
    --master 'local[2]')
  stage=$(grep -o 'ResultStage 0 .* finished in [0-9.]* s' "$work/log" | grep -o '[0-9.]* s$')
  echo "SparkEmbed local[2], openCostInBytes=$open_cost: $(rate "$s"), embedding stage $stage," \
    "$(grep -c 'Finished task .* in stage 0.0' "$work/log" | awk '{ print $1 / 2 }') partitions"
done
