#!/usr/bin/env bash
# Regenerates the committed PTX from the .cu sources, then validates every module with ptxas for
# sm_80 and sm_90. Run from anywhere: kernels/src/main/cuda/build-ptx.sh [stem ...]
# Each .ptx starts with one line "// generated from STEM.cu sha256 HEX" where HEX hashes the .cu
# file followed by every .cuh in this folder (sorted by name), so a header edit also shows up.
# Target: compute_75, the lowest virtual architecture nvcc 13 accepts; the driver JIT-compiles
# the PTX forward for newer GPUs (sm_80 A100, sm_90 H100/H200, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../resources/org/finetune4j/kernels/ptx" && pwd)
arch=${PTX_ARCH:-compute_75}
stems=("$@")
if [ ${#stems[@]} -eq 0 ]; then
  for f in "$here"/*.cu; do stems+=("$(basename "$f" .cu)"); done
fi
hash_of() {   # the .cu file, then every .cuh in sorted order
  { cat "$here/$1.cu"; for h in $(ls "$here"/*.cuh 2>/dev/null | sort); do cat "$h"; done; } \
    | sha256sum | cut -d' ' -f1
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for s in "${stems[@]}"; do
  nvcc --ptx -arch="$arch" -O3 -std=c++17 -I"$here" -o "$tmp/$s.ptx" "$here/$s.cu"
  { echo "// generated from $s.cu sha256 $(hash_of "$s") by build-ptx.sh"; cat "$tmp/$s.ptx"; } \
    > "$out/$s.ptx"
  for sm in sm_80 sm_90; do
    ptxas -arch="$sm" -O3 -o /dev/null "$out/$s.ptx"
  done
  entries=$(grep -c '^\.visible \.entry\|^\.entry' "$out/$s.ptx")
  echo "built $s.ptx ($entries entries), ptxas sm_80 sm_90 ok"
done
