// Shared device helpers for the finetune4j kernels (see /tmp/ft4j/CUDA-CONTRACT.md and
// kernels/src/main/cuda/README.md). Header-only, included by every .cu file; its bytes are part
// of every module's sha256 line, so any edit here means rerunning build-ptx.sh for all stems.
// Sections are owned by different authors: APPEND new helpers in a section of your own.
#pragma once
#include <cfloat>
#include <climits>
#include <cmath>

// ======================================================================================
// Section A: Strided descriptor, Java float semantics, block/warp reductions
//            (elementwise, movement, reduce, cross_entropy, gumbel_softmax_gate,
//             weighted_feature_distance, optimizer)
// ======================================================================================

#define FT4J_MAX_RANK 8
#define FT4J_WARP 32

// Broadcast/strided view of an input, passed BY VALUE; Java passes an int[18] in this order.
struct Strided {
  int rank;                   // rank of the OUTPUT (1..8)
  int offset;                 // element offset added to the input index
  int shape[FT4J_MAX_RANK];   // output shape, dims beyond rank ignored
  int stride[FT4J_MAX_RANK];  // input element stride per output dim (0 = broadcast)
};

// Input element offset of output element i: i is decomposed row-major by s.shape (last dim
// fastest) and each coordinate is weighted by the input stride of its dim.
__device__ __forceinline__ long long ft4j_strided_offset(const Strided& s, long long i) {
  long long off = s.offset;
  for (int d = s.rank - 1; d >= 0; --d) {
    int dim = s.shape[d];
    off += (i % dim) * (long long)s.stride[d];
    i /= dim;
  }
  return off;
}

// Decomposes i by `shape` once and applies two stride sets (both inputs of a broadcast binary
// op share the output shape): returns the offset for s1 and writes the one for s2.
__device__ __forceinline__ long long ft4j_strided_offset2(const Strided& s1, const Strided& s2,
                                                          long long i, long long* off2) {
  long long o1 = s1.offset, o2 = s2.offset;
  for (int d = s1.rank - 1; d >= 0; --d) {
    int dim = s1.shape[d];
    long long idx = i % dim;
    o1 += idx * (long long)s1.stride[d];
    o2 += idx * (long long)s2.stride[d];
    i /= dim;
  }
  *off2 = o2;
  return o1;
}

// Grid-stride loop over [0, n) in long long, so i + stride never overflows near 2^31.
#define FT4J_GRID_STRIDE(i, n)                                                          \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
       i += (long long)blockDim.x * gridDim.x)

// java.lang.Math.max / min for floats: NaN if either is NaN, and -0 < +0. (fmaxf/fminf ignore
// NaN, which would hide a diverged value the CPU twin propagates.)
__device__ __forceinline__ float ft4j_maxf(float a, float b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
  return a > b ? a : b;
}

__device__ __forceinline__ float ft4j_minf(float a, float b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
  return a < b ? a : b;
}

// CpuElementwise.step: 1 when d > 0, 0 when d <= 0, NaN for NaN (a mask that keeps NaN).
__device__ __forceinline__ float ft4j_step(float d) {
  if (d != d) return d;
  return d > 0.0f ? 1.0f : 0.0f;
}

// ---- warp reductions: xor butterflies, so every lane ends with the same value and the
// ---- combination tree is fixed by the lane numbers alone (deterministic).
__device__ __forceinline__ double ft4j_warp_sum_double(double v) {
  for (int m = FT4J_WARP / 2; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
  return v;
}

__device__ __forceinline__ float ft4j_warp_sum_float(float v) {
  for (int m = FT4J_WARP / 2; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
  return v;
}

__device__ __forceinline__ float ft4j_warp_max_float(float v) {
  for (int m = FT4J_WARP / 2; m > 0; m >>= 1) v = ft4j_maxf(v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

__device__ __forceinline__ float ft4j_warp_min_float(float v) {
  for (int m = FT4J_WARP / 2; m > 0; m >>= 1) v = ft4j_minf(v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

// ---- block reductions. Require blockDim.x a multiple of 32 and <= 1024, and every thread of
// ---- the block to call them (they contain __syncthreads). Each warp reduces its lanes, warp
// ---- results go through shared memory in warp order, and warp 0 reduces those: a fixed tree
// ---- for a fixed blockDim. The result is returned to every thread. The trailing barrier lets
// ---- a kernel call the same reduction again (the shared slots are reused).
__device__ __forceinline__ double ft4j_block_sum_double(double v) {
  __shared__ double part[FT4J_WARP];
  int lane = threadIdx.x % FT4J_WARP, warp = threadIdx.x / FT4J_WARP;
  int warps = blockDim.x / FT4J_WARP;
  v = ft4j_warp_sum_double(v);
  if (lane == 0) part[warp] = v;
  __syncthreads();
  double r = lane < warps ? part[lane] : 0.0;
  r = ft4j_warp_sum_double(r);
  __syncthreads();
  return r;
}

__device__ __forceinline__ float ft4j_block_sum_float(float v) {
  __shared__ float part[FT4J_WARP];
  int lane = threadIdx.x % FT4J_WARP, warp = threadIdx.x / FT4J_WARP;
  int warps = blockDim.x / FT4J_WARP;
  v = ft4j_warp_sum_float(v);
  if (lane == 0) part[warp] = v;
  __syncthreads();
  float r = lane < warps ? part[lane] : 0.0f;
  r = ft4j_warp_sum_float(r);
  __syncthreads();
  return r;
}

__device__ __forceinline__ float ft4j_block_max_float(float v) {
  __shared__ float part[FT4J_WARP];
  int lane = threadIdx.x % FT4J_WARP, warp = threadIdx.x / FT4J_WARP;
  int warps = blockDim.x / FT4J_WARP;
  v = ft4j_warp_max_float(v);
  if (lane == 0) part[warp] = v;
  __syncthreads();
  float r = lane < warps ? part[lane] : -INFINITY;
  r = ft4j_warp_max_float(r);
  __syncthreads();
  return r;
}

__device__ __forceinline__ float ft4j_block_min_float(float v) {
  __shared__ float part[FT4J_WARP];
  int lane = threadIdx.x % FT4J_WARP, warp = threadIdx.x / FT4J_WARP;
  int warps = blockDim.x / FT4J_WARP;
  v = ft4j_warp_min_float(v);
  if (lane == 0) part[warp] = v;
  __syncthreads();
  float r = lane < warps ? part[lane] : INFINITY;
  r = ft4j_warp_min_float(r);
  __syncthreads();
  return r;
}
