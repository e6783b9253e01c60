// gumbel_softmax_gate.cu: the Gumbel-softmax gate of SpotTune / AdaFilter and the gated blend.
//   soft[r] = softmax((logits[r] + noise[r]) / tau);  out[r] = soft[r], or one-hot(first argmax)
//   when hard;  dLogits = soft * (dOut - sum_j dOut_j * soft_j) / tau  (straight-through).
//   y[i,ch,p] = g * a + (1 - g) * b,  g = g[i] (perChannel 0) or g[i*c + ch] (perChannel 1).
// CPU twins: tensor/cpu/CpuGumbelSoftmaxGate (forward, backward), tensor/cpu/CpuGatedBlend.
// Launcher: kernels/.../CudaFused (FusedKernels.gumbelSoftmaxGateForward /
// gumbelSoftmaxGateBackward, gatedBlendForward / gatedBlendBackward).
// Versions: v1 only (one warp per gate row; k is 2..~64, so a row fits one or two loads per lane).
// Precision: row sums and the dg sum in double, as the twins; exp in double as Math.exp. The
// blend uses __fmul_rn/__fadd_rn so nvcc cannot contract it into an FMA: bit-identical to the
// twin. Parity tolerance: gate atol 1e-6 + rtol 1e-5 (the double sums run in another order);
// blend forward and da/db exact; dg rtol 1e-6.
#include "common.cuh"

// Row r of the gate is handled by one warp: rows are spread over the warps of the grid, so any
// blockDim that is a multiple of 32 works (the launcher uses 128: four rows per block).
#define GSG_ROW_LOOP(row)                                                                  \
  for (long long row = ((long long)blockIdx.x * blockDim.x + threadIdx.x) / FT4J_WARP;     \
       row < (long long)rows; row += ((long long)blockDim.x * gridDim.x) / FT4J_WARP)

extern "C" __global__ void gumbel_softmax_gate_forward(const float* logits, const float* noise,
                                                       float* soft, float* out, int rows, int k,
                                                       float tau, int hard) {
  const int lane = threadIdx.x % FT4J_WARP;
  GSG_ROW_LOOP(row) {
    const long long off = row * (long long)k;           // start of row r in (rows, k)
    // max_j z_j with z = (logits + noise) / tau in float, as the twin (NaN propagates).
    float mx = -INFINITY;
    for (int j = lane; j < k; j += FT4J_WARP) {
      mx = ft4j_maxf(mx, (logits[off + j] + noise[off + j]) / tau);
    }
    mx = ft4j_warp_max_float(mx);
    // e_j = exp(z_j - max) rounded to float, kept in soft; the sum in double.
    double sum = 0.0;
    for (int j = lane; j < k; j += FT4J_WARP) {
      float e = (float)exp((double)((logits[off + j] + noise[off + j]) / tau - mx));
      soft[off + j] = e;
      sum += e;
    }
    sum = ft4j_warp_sum_double(sum);
    const double inv = 1.0 / sum;
    // Normalise. Each lane rereads only what it wrote itself, so no barrier is needed. The
    // first maximum of soft is tracked as (value, index): larger value wins; equal or unordered
    // (all-NaN row) keeps the smaller index, which is the twin's strict-> left-to-right scan.
    float best = -INFINITY;
    int bestIdx = INT_MAX;
    for (int j = lane; j < k; j += FT4J_WARP) {
      float s = (float)(soft[off + j] * inv);
      soft[off + j] = s;
      if (!hard) out[off + j] = s;                      // out may alias soft when !hard
      if (s > best || bestIdx == INT_MAX) {
        best = s;
        bestIdx = j;
      }
    }
    if (hard) {
      for (int m = FT4J_WARP / 2; m > 0; m >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, best, m);
        int oi = __shfl_xor_sync(0xffffffffu, bestIdx, m);
        bool otherWins = ov > best || (!(best > ov) && oi < bestIdx);
        if (otherWins) {
          best = ov;
          bestIdx = oi;
        }
      }
      for (int j = lane; j < k; j += FT4J_WARP) out[off + j] = j == bestIdx ? 1.0f : 0.0f;
    }
  }
}

// dLogits = soft * (dOut - dot) / tau with dot = sum_j dOut_j * soft_j in double, per row.
extern "C" __global__ void gumbel_softmax_gate_backward(const float* dOut, const float* soft,
                                                        float* dLogits, int rows, int k,
                                                        float tau) {
  const int lane = threadIdx.x % FT4J_WARP;
  GSG_ROW_LOOP(row) {
    const long long off = row * (long long)k;
    double dot = 0.0;
    for (int j = lane; j < k; j += FT4J_WARP) dot += (double)dOut[off + j] * soft[off + j];
    dot = ft4j_warp_sum_double(dot);
    for (int j = lane; j < k; j += FT4J_WARP) {
      dLogits[off + j] = (float)((double)soft[off + j] * (dOut[off + j] - dot) / tau);
    }
  }
}

// Gate index of element (i, ch, p) of the (n, c, hw) blend: one gate per sample (SpotTune) or
// one per sample and channel (AdaFilter).
__device__ __forceinline__ long long gsg_gate_index(long long e, int c, int hw, int perChannel) {
  long long plane = e / hw;                              // i * c + ch
  return perChannel ? plane : plane / c;
}

// y = g*a + (1-g)*b elementwise over (n, c, hw); grid-stride, launcher blockDim 256.
extern "C" __global__ void gated_blend_forward(const float* g, const float* a, const float* b,
                                               float* y, int n, int c, int hw, int perChannel) {
  const long long total = (long long)n * c * hw;
  FT4J_GRID_STRIDE(e, total) {
    float gv = g[gsg_gate_index(e, c, hw, perChannel)];
    y[e] = __fadd_rn(__fmul_rn(gv, a[e]), __fmul_rn(1.0f - gv, b[e]));
  }
}

// One block per gate entry q (n entries, or n*c when perChannel), blockDim a multiple of 32:
// its elements are the contiguous range [q*len, (q+1)*len) with len = c*hw or hw.
//   da = g*dy, db = (1-g)*dy (either may be null: not needed), dg[q] = sum dy*(a-b) in double
//   with a fixed per-block tree (dg may be null).
extern "C" __global__ void gated_blend_backward(const float* g, const float* a, const float* b,
                                                const float* dy, float* dg, float* da, float* db,
                                                int n, int c, int hw, int perChannel) {
  const long long gates = perChannel ? (long long)n * c : (long long)n;
  const long long len = perChannel ? (long long)hw : (long long)c * hw;
  for (long long q = blockIdx.x; q < gates; q += gridDim.x) {
    const float gv = g[q];
    const float gc = 1.0f - gv;
    const long long base = q * len;
    double acc = 0.0;
    for (long long p = threadIdx.x; p < len; p += blockDim.x) {
      const long long e = base + p;
      const float d = dy[e];
      if (da) da[e] = gv * d;
      if (db) db[e] = gc * d;
      acc += (double)d * ((double)a[e] - (double)b[e]);
    }
    acc = ft4j_block_sum_double(acc);                    // every thread calls it (uniform q)
    if (dg && threadIdx.x == 0) dg[q] = (float)acc;
  }
}
