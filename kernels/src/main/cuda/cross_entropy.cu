// cross_entropy.cu: per-sample cross-entropy from logits (n, k), not reduced over samples.
//   loss[i] = lse(logits[i]) - logits[i, label];   dLogits = (softmax - onehot) * dLoss[i]
//   soft:  loss[i] = sum_j t_j * (lse - logits_j) (t_j != 0 only);
//          dLogits = (softmax_j * sum_l t_l - t_j) * dLoss[i]
// CPU twin: tensor/cpu/CpuCrossEntropy (forward, backward, forwardSoft, backwardSoft).
// Launcher: kernels/.../CudaLosses (LossKernels.crossEntropy*).
// Versions: v1 only: one block per sample (row), blockDim a multiple of 32 (launcher 256).
// Precision: lse = max + log(sum exp(x - max)) in double, as CpuSoftmax.logSumExp; loss and
// gradient in double, rounded once. Parity tolerance atol 1e-6 + rtol 1e-5 (sum order).
// A label outside [0, k) (the twin throws) gives NaN loss and NaN gradients for that sample.
#include "common.cuh"

// log sum_j exp(x_j) of row x[0..k) in double; every thread of the block gets it.
// A row of all -inf gives -inf, and any NaN gives NaN, as the twin.
__device__ double ce_log_sum_exp(const float* x, int k) {
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < k; j += blockDim.x) {
    float v = x[j];
    if (v > mx || v != v) mx = v;                        // CpuSoftmax.max: NaN sticks
  }
  mx = ft4j_block_max_float(mx);
  if (mx == -INFINITY) return -INFINITY;                 // uniform across the block
  double sum = 0.0;
  for (int j = threadIdx.x; j < k; j += blockDim.x) sum += exp((double)(x[j] - mx));
  sum = ft4j_block_sum_double(sum);
  return (double)mx + log(sum);
}

extern "C" __global__ void cross_entropy_forward(const float* logits, const int* labels,
                                                 float* loss, int n, int k) {
  for (long long i = blockIdx.x; i < n; i += gridDim.x) {
    const float* row = logits + i * k;
    const double lse = ce_log_sum_exp(row, k);
    if (threadIdx.x == 0) {
      const int label = labels[i];
      loss[i] = (label >= 0 && label < k) ? (float)(lse - row[label]) : NAN;
    }
  }
}

extern "C" __global__ void cross_entropy_backward(const float* logits, const int* labels,
                                                  const float* dLoss, float* dLogits, int n,
                                                  int k) {
  for (long long i = blockIdx.x; i < n; i += gridDim.x) {
    const float* row = logits + i * k;
    const double lse = ce_log_sum_exp(row, k);
    const int label = labels[i];
    const bool valid = label >= 0 && label < k;
    const double g = dLoss[i];
    for (int j = threadIdx.x; j < k; j += blockDim.x) {
      const double p = exp((double)row[j] - lse);
      dLogits[i * k + j] = valid ? (float)((j == label ? p - 1 : p) * g) : NAN;
    }
  }
}

extern "C" __global__ void cross_entropy_soft_forward(const float* logits, const float* targets,
                                                      float* loss, int n, int k) {
  for (long long i = blockIdx.x; i < n; i += gridDim.x) {
    const float* row = logits + i * k;
    const float* t = targets + i * k;
    const double lse = ce_log_sum_exp(row, k);
    double sum = 0.0;
    for (int j = threadIdx.x; j < k; j += blockDim.x) {
      const float tj = t[j];
      if (tj != 0.0f) sum += tj * (lse - row[j]);        // 0 * (-inf) would give NaN
    }
    sum = ft4j_block_sum_double(sum);
    if (threadIdx.x == 0) loss[i] = (float)sum;
  }
}

extern "C" __global__ void cross_entropy_soft_backward(const float* logits, const float* targets,
                                                       const float* dLoss, float* dLogits, int n,
                                                       int k) {
  for (long long i = blockIdx.x; i < n; i += gridDim.x) {
    const float* row = logits + i * k;
    const float* t = targets + i * k;
    const double lse = ce_log_sum_exp(row, k);
    double ts = 0.0;
    for (int j = threadIdx.x; j < k; j += blockDim.x) ts += t[j];
    ts = ft4j_block_sum_double(ts);
    const double g = dLoss[i];
    for (int j = threadIdx.x; j < k; j += blockDim.x) {
      const double p = exp((double)row[j] - lse);
      dLogits[i * k + j] = (float)((__dmul_rn(p, ts) - t[j]) * g);   // no FMA, as Java
    }
  }
}
