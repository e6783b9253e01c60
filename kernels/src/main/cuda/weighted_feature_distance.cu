// weighted_feature_distance.cu: the channel-weighted feature-map distance of DELTA and L2T-ww.
//   out[i] = sum_c w[i,c] * (1/hw) * sum_p (s[i,c,p] - t[i,c,p])^2,  w: (n, c) when perSample
//   else (c);  ds = dOut[i]*w*(2/hw)*(s - t), dt = -ds;  dw[i,c] = dOut[i]*partial[i,c]/hw,
//   summed over i in order when the weights are shared.
// CPU twin: tensor/cpu/CpuWeightedFeatureDistance. Launcher: kernels/.../
// CudaFused (FusedKernels.weightedFeatureDistanceForward / Backward).
// Versions: v1 only. Forward = wfd_partial (one block per (i, c) plane) then wfd_combine; the
// launcher keeps `partial` (n*c doubles) for wfd_weight_grad. The difference map is never stored.
// Precision: every sum in double as the twin; only the order inside a plane differs (fixed
// per-block tree), so parity tolerance atol 1e-6 + rtol 1e-5 on out and dw; ds/dt rtol 1e-6
// (same float formula as the twin; nvcc may fuse nothing there: two multiplies).
#include "common.cuh"

// One block per plane q = i*c + ch (blockDim a multiple of 32, launcher 256):
// partial[q] = sum_p ((double)s - t)^2 over the plane's hw contiguous elements.
extern "C" __global__ void wfd_partial(const float* s, const float* t, double* partial, int n,
                                       int c, int hw) {
  const long long planes = (long long)n * c;
  for (long long q = blockIdx.x; q < planes; q += gridDim.x) {
    const long long base = q * hw;                       // start of s[i, ch, :]
    double acc = 0.0;
    for (int p = threadIdx.x; p < hw; p += blockDim.x) {
      double d = (double)s[base + p] - (double)t[base + p];
      acc += d * d;
    }
    acc = ft4j_block_sum_double(acc);
    if (threadIdx.x == 0) partial[q] = acc;
  }
}

// One thread per sample: out[i] = (sum_c w * partial[i, c], channels in order) / hw.
extern "C" __global__ void wfd_combine(const double* partial, const float* w, int perSample,
                                       float* out, int n, int c, int hw) {
  FT4J_GRID_STRIDE(i, n) {
    double total = 0.0;
    for (int ch = 0; ch < c; ++ch) {
      double wv = w[perSample ? i * c + ch : ch];
      total += __dmul_rn(wv, partial[i * c + ch]);     // no FMA: the twin rounds twice
    }
    out[i] = (float)(total / hw);
  }
}

// Elementwise over (n, c, hw): scale = (float)(dOut[i]*w*2/hw) in double as the twin, then
// ds = scale*(s - t) and dt = -scale*(s - t) in float. Outputs whose flag is 0 are not touched.
extern "C" __global__ void wfd_backward(const float* dOut, const float* s, const float* t,
                                        const float* w, int perSample, float* ds, float* dt,
                                        int n, int c, int hw, int needS, int needT) {
  const long long total = (long long)n * c * hw;
  FT4J_GRID_STRIDE(e, total) {
    const long long plane = e / hw;                      // i * c + ch
    const long long i = plane / c;
    const int ch = (int)(plane % c);
    const double wv = w[perSample ? plane : ch];
    const float scale = (float)((double)dOut[i] * wv * 2.0 / hw);
    const float diff = s[e] - t[e];
    if (needS) ds[e] = scale * diff;
    if (needT) dt[e] = -scale * diff;
  }
}

// perSample: one thread per (i, c), dw[i,c] = dOut[i]*partial/hw. Shared weights: one thread per
// channel, dw[c] = sum over i in order of dOut[i]*partial[i,c]/hw (double), as the twin.
extern "C" __global__ void wfd_weight_grad(const double* partial, const float* dOut,
                                           int perSample, float* dw, int n, int c, int hw) {
  if (perSample) {
    FT4J_GRID_STRIDE(q, (long long)n * c) {
      dw[q] = (float)((double)dOut[q / c] * partial[q] / hw);
    }
  } else {
    FT4J_GRID_STRIDE(ch, c) {
      double acc = 0.0;
      for (int i = 0; i < n; ++i) acc += (double)dOut[i] * partial[(long long)i * c + ch] / hw;
      dw[ch] = (float)acc;
    }
  }
}
