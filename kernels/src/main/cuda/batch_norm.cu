// batch_norm.cu: BatchNorm2d over (n, c, hw), PyTorch semantics; per channel over m = n*hw values.
//   train:  mean, var = biased batch moments, rstd = 1/sqrt(var + eps),
//           y = (x - mean)*(gamma*rstd) + beta;
//           running <- (1 - momentum)*running + momentum*batch, batch var unbiased: var*m/(m-1).
//   eval:   y = (x - runningMean)*(gamma/sqrt(runningVar + eps)) + beta.
//   backward: dBeta = sum dy, dGamma = rstd*sum dy*(x - mean),
//           dx = gamma*rstd/m * (m*dy - dBeta - xhat*dGamma) = a*dy + b*(x - mean) + k.
// CPU twin: tensor/cpu/CpuBatchNorm2d (forwardTrain = bn_stats + bn_apply + bn_running_update,
// forwardEval = bn_eval_forward, backward = bn_backward_reduce + bn_backward_dx). Launcher:
// kernels/.../CudaNorm (NormKernels batch norm; cuDNN is not used, see kernels/README.md).
// mean/rstd are what forwardTrain saves (saveMean/saveRstd) for backward.
// Versions: v1 only. bn_stats and bn_backward_reduce: one block per channel (gridDim.x = c,
// blockDim 256, any multiple of 32 works), fixed reduction tree (common.cuh). The others are
// grid-stride over their outputs (blockDim 256, grid = min(ceil(total/256), 65535*8));
// bn_running_update over the c channels.
// Precision: sums in double as the twin (shifted by the channel's first value, as it does),
// but in a tree instead of the twin's sequence, and bn_backward_dx takes dGamma/dBeta rounded
// to float: parity atol 1e-5 + rtol 1e-4 on y, dx, dGamma, dBeta (values O(1), m up to ~1e6),
// atol 1e-6 + rtol 1e-5 on mean, rstd and the running statistics.
#include "common.cuh"

// Offset of element j (0 <= j < n*hw) of channel ch: sample j / hw, position j % hw.
static __host__ __device__ __forceinline__ long long bn_offset(long long j, int c, int hw,
                                                               int ch) {
  return (j / hw) * c * hw + (long long)ch * hw + j % hw;
}

// Channel of element e of an (n, c, hw) tensor.
static __host__ __device__ __forceinline__ int bn_channel(long long e, int c, int hw) {
  return (int)((e / hw) % c);
}

// One block per channel ch = blockIdx.x: mean, rstd and the biased var, all (c).
extern "C" __global__ void bn_stats(const float* x, int n, int c, int hw, float eps, float* mean,
                                    float* rstd, float* var) {
  long long m = (long long)n * hw;
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    // Moments of x - K, K = the channel's first value: sum(x-K)^2 - (sum(x-K))^2/m stays well
    // conditioned when |mean| >> std (the twin's shift).
    double shift = x[(long long)ch * hw];
    double sum = 0.0, sumSq = 0.0;
    for (long long j = threadIdx.x; j < m; j += blockDim.x) {
      double d = (double)x[bn_offset(j, c, hw, ch)] - shift;
      sum += d;
      sumSq += d * d;
    }
    sum = ft4j_block_sum_double(sum);
    sumSq = ft4j_block_sum_double(sumSq);
    if (threadIdx.x == 0) {
      double meanShifted = sum / m;
      double v = sumSq / m - meanShifted * meanShifted;
      v = v > 0.0 ? v : 0.0;                                // biased; rounding can go below 0
      mean[ch] = (float)(shift + meanShifted);
      rstd[ch] = (float)(1.0 / sqrt(v + eps));
      var[ch] = (float)v;
    }
  }
}

// y = (x - mean)*scale + beta with scale = (float)(gamma*rstd) per channel; x, y: (n, c, hw).
extern "C" __global__ void bn_apply(const float* x, const float* mean, const float* rstd,
                                    const float* gamma, const float* beta, float* y, int n, int c,
                                    int hw) {
  long long total = (long long)n * c * hw;
  FT4J_GRID_STRIDE(e, total) {
    int ch = bn_channel(e, c, hw);
    float scale = (float)((double)gamma[ch] * rstd[ch]);
    y[e] = (x[e] - mean[ch]) * scale + beta[ch];
  }
}

// One thread per channel; count = m = n*hw (> 1, as forwardTrain requires). Either running
// pointer may be null and is then skipped (the twin's optional running statistics).
extern "C" __global__ void bn_running_update(float* runningMean, float* runningVar,
                                             const float* mean, const float* var, int c,
                                             float momentum, int count) {
  FT4J_GRID_STRIDE(ch, c) {
    if (runningMean != nullptr) {
      runningMean[ch] = (float)((1.0 - momentum) * runningMean[ch] + momentum * (double)mean[ch]);
    }
    if (runningVar != nullptr && count > 1) {
      double unbiased = (double)var[ch] * count / (count - 1);
      runningVar[ch] = (float)((1.0 - momentum) * runningVar[ch] + momentum * unbiased);
    }
  }
}

// Eval mode; x, y: (n, c, hw); gamma, beta, runningMean, runningVar: (c).
extern "C" __global__ void bn_eval_forward(const float* x, const float* gamma, const float* beta,
                                           const float* runningMean, const float* runningVar,
                                           float eps, float* y, int n, int c, int hw) {
  long long total = (long long)n * c * hw;
  FT4J_GRID_STRIDE(e, total) {
    int ch = bn_channel(e, c, hw);
    float scale = (float)(gamma[ch] / sqrt((double)runningVar[ch] + eps));
    y[e] = (x[e] - runningMean[ch]) * scale + beta[ch];
  }
}

// One block per channel: dBeta = sum dy, dGamma = rstd * sum dy*(x - mean), both (c). Either
// output may be null and is then not written (bn_backward_dx still needs both: the launcher
// passes scratch when the caller wants dx only).
extern "C" __global__ void bn_backward_reduce(const float* dy, const float* x, const float* mean,
                                              const float* rstd, float* dGamma, float* dBeta,
                                              int n, int c, int hw) {
  long long m = (long long)n * hw;
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    float mu = mean[ch];
    double sumDy = 0.0, sumDyXc = 0.0;
    for (long long j = threadIdx.x; j < m; j += blockDim.x) {
      long long o = bn_offset(j, c, hw, ch);
      double g = dy[o];
      sumDy += g;
      sumDyXc += g * ((double)x[o] - mu);
    }
    sumDy = ft4j_block_sum_double(sumDy);
    sumDyXc = ft4j_block_sum_double(sumDyXc);
    if (threadIdx.x == 0) {
      if (dBeta != nullptr) dBeta[ch] = (float)sumDy;
      if (dGamma != nullptr) dGamma[ch] = (float)(sumDyXc * (double)rstd[ch]);
    }
  }
}

// dx = a*dy + b*(x - mean) + k with gr = gamma*rstd, a = gr, b = -gr*rstd*dGamma/m,
// k = -gr*dBeta/m (the twin's expansion of the formula in the header); dx overwritten.
extern "C" __global__ void bn_backward_dx(const float* dy, const float* x, const float* mean,
                                          const float* rstd, const float* gamma,
                                          const float* dGamma, const float* dBeta, float* dx,
                                          int n, int c, int hw) {
  long long total = (long long)n * c * hw;
  double m = (double)n * hw;
  FT4J_GRID_STRIDE(e, total) {
    int ch = bn_channel(e, c, hw);
    double r = rstd[ch];
    double gr = gamma[ch] * r;
    float a = (float)gr;
    float b = (float)(-gr * r * dGamma[ch] / m);
    float k = (float)(-gr * dBeta[ch] / m);
    dx[e] = a * dy[e] + b * (x[e] - mean[ch]) + k;
  }
}
