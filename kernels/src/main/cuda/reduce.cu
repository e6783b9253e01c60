// reduce.cu: reductions over the last axis of a (rows, cols) array, softmax and log-softmax.
//   y[r] = sum / mean / max / min / first argmax / variance of x[r, :];
//   softmax: y = exp(x - max) / sum exp(x - max);  log_softmax: y = x - max - log sum exp(x - max)
//   backward: dx = y*(dy - sum dy*y);  log: dx = dy - exp(y)*sum dy.
// CPU twins: tensor/cpu/CpuReductions (reduce, argmax), CpuBackend.variance, tensor/cpu/CpuSoftmax.
// Launcher: kernels/.../CudaReductions (ReduceOp.kernelSymbol() + "_rows"; the launcher
// first moves the reduced axes last with strided_copy, so every reduction here is over rows).
// Versions: v1 only: one block per row, blockDim a multiple of 32 (launcher 256), a fixed tree.
// Precision: sum, mean, variance (two-pass), softmax denominators and backward dots in double;
// max/min in float with NaN propagating as Math.max. Parity tolerance: max/min/argmax exact;
// the rest atol 1e-6 + rtol 1e-5 (double sums in another order, exp 1 ulp).
#include "common.cuh"

#define ROW_LOOP(r) for (long long r = blockIdx.x; r < rows; r += gridDim.x)

__device__ double rd_row_sum(const float* x, int cols) {
  double acc = 0.0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) acc += x[j];
  return ft4j_block_sum_double(acc);
}

extern "C" __global__ void reduce_sum_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    double s = rd_row_sum(x + r * cols, cols);
    if (threadIdx.x == 0) y[r] = (float)s;
  }
}

// Mean of an empty row is 0 * (1/0) = NaN, as the twin (and PyTorch).
extern "C" __global__ void reduce_mean_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    double s = rd_row_sum(x + r * cols, cols);
    if (threadIdx.x == 0) y[r] = (float)(s * (1.0 / cols));
  }
}

extern "C" __global__ void reduce_max_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) m = ft4j_maxf(m, row[j]);
    m = ft4j_block_max_float(m);
    if (threadIdx.x == 0) y[r] = m;
  }
}

extern "C" __global__ void reduce_min_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    float m = INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) m = ft4j_minf(m, row[j]);
    m = ft4j_block_min_float(m);
    if (threadIdx.x == 0) y[r] = m;
  }
}

// CpuReductions.argmax order: a NaN beats any number (first NaN wins), else the larger value,
// ties to the smaller index. True when candidate (v2, i2) beats (v1, i1).
__device__ __forceinline__ bool rd_arg_beats(float v1, int i1, float v2, int i2) {
  bool n1 = v1 != v1, n2 = v2 != v2;
  if (n1 != n2) return n2;
  if (!n1 && v2 != v1) return v2 > v1;
  return i2 < i1;
}

// Index (as float) of the first maximum; per-thread scan in order, then warp butterflies and a
// pass over the warp winners in shared memory, all with the same total order.
extern "C" __global__ void argmax_rows(const float* x, float* y, int rows, int cols) {
  __shared__ float wv[FT4J_WARP];
  __shared__ int wi[FT4J_WARP];
  const int lane = threadIdx.x % FT4J_WARP, warp = threadIdx.x / FT4J_WARP;
  const int warps = blockDim.x / FT4J_WARP;
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    float bv = -INFINITY;
    int bi = INT_MAX;                                    // no element yet: loses to everything
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      if (bi == INT_MAX || rd_arg_beats(bv, bi, row[j], j)) {
        bv = row[j];
        bi = j;
      }
    }
    for (int m = FT4J_WARP / 2; m > 0; m >>= 1) {
      float ov = __shfl_xor_sync(0xffffffffu, bv, m);
      int oi = __shfl_xor_sync(0xffffffffu, bi, m);
      if (oi != INT_MAX && (bi == INT_MAX || rd_arg_beats(bv, bi, ov, oi))) {
        bv = ov;
        bi = oi;
      }
    }
    if (lane == 0) {
      wv[warp] = bv;
      wi[warp] = bi;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      float v = wv[0];
      int idx = wi[0];
      for (int w = 1; w < warps; ++w) {
        if (wi[w] != INT_MAX && (idx == INT_MAX || rd_arg_beats(v, idx, wv[w], wi[w]))) {
          v = wv[w];
          idx = wi[w];
        }
      }
      y[r] = idx == INT_MAX ? NAN : (float)idx;          // empty row: the twin throws
    }
    __syncthreads();
  }
}

// sum (x - mean)^2 / (cols - correction), two passes in double.
extern "C" __global__ void variance_rows(const float* x, float* y, int rows, int cols,
                                         int correction) {
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    const double mean = rd_row_sum(row, cols) / cols;
    double acc = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      double d = (double)row[j] - mean;
      acc += d * d;
    }
    acc = ft4j_block_sum_double(acc);
    if (threadIdx.x == 0) y[r] = (float)(acc / ((double)cols - correction));
  }
}

// Row maximum as CpuSoftmax.max: a NaN anywhere makes it NaN.
__device__ __forceinline__ float rd_row_max(const float* row, int cols) {
  float m = -INFINITY;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) m = ft4j_maxf(m, row[j]);
  return ft4j_block_max_float(m);
}

extern "C" __global__ void softmax_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    float* out = y + r * cols;
    const float mx = rd_row_max(row, cols);
    double sum = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      float e = (float)exp((double)(row[j] - mx));       // Math.exp of the float difference
      out[j] = e;
      sum += e;
    }
    const double inv = 1.0 / ft4j_block_sum_double(sum);
    // each thread rescales only the columns it wrote itself: no barrier needed
    for (int j = threadIdx.x; j < cols; j += blockDim.x) out[j] = (float)(out[j] * inv);
  }
}

extern "C" __global__ void log_softmax_rows(const float* x, float* y, int rows, int cols) {
  ROW_LOOP(r) {
    const float* row = x + r * cols;
    const float mx = rd_row_max(row, cols);
    double lse = -INFINITY;                              // a row of all -inf stays -inf
    if (mx != -INFINITY) {
      double sum = 0.0;
      for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += exp((double)(row[j] - mx));
      lse = (double)mx + log(ft4j_block_sum_double(sum));
    }
    for (int j = threadIdx.x; j < cols; j += blockDim.x) y[r * cols + j] = (float)(row[j] - lse);
  }
}

extern "C" __global__ void softmax_backward_rows(const float* dy, const float* y, float* dx,
                                                 int rows, int cols) {
  ROW_LOOP(r) {
    const long long off = r * cols;
    double dot = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      dot += __dmul_rn((double)dy[off + j], (double)y[off + j]);
    }
    dot = ft4j_block_sum_double(dot);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      dx[off + j] = (float)((double)y[off + j] * (dy[off + j] - dot));
    }
  }
}

extern "C" __global__ void log_softmax_backward_rows(const float* dy, const float* y, float* dx,
                                                     int rows, int cols) {
  ROW_LOOP(r) {
    const long long off = r * cols;
    const double sum = rd_row_sum(dy + off, cols);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      dx[off + j] = (float)(dy[off + j] - __dmul_rn(exp((double)y[off + j]), sum));
    }
  }
}
