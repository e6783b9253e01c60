// gemm.cu: batched single-precision GEMM, row-major, BLAS semantics:
//   C[z] = alpha*op(A[z])*op(B[z]) + beta*C[z],  op(A): (m, k), op(B): (k, n), C: (m, n),
//   A stored (k, m) when transA else (m, k), B stored (n, k) when transB else (k, n); lda, ldb,
//   ldc are row strides in elements; matrix z = blockIdx.z starts at z*strideA, z*strideB,
//   z*strideC. beta == 0 overwrites C without reading it (NaN in C does not survive); alpha == 0
//   or k == 0 leaves A and B unread.
// CPU twin: tensor/cpu/CpuGemm (gemm / gemmBatched; gemmNaive for v1). Launcher:
// kernels/.../CudaLinalg (LinalgKernels.gemm / matmul when cuBLAS is not used).
// Versions (parity-tested both; the launcher uses v2, v1 is the readable reference):
//   v1 sgemm_naive: one thread per C element, the twin's gemmNaive loop; block (16, 16),
//      grid (ceil(n/16), min(ceil(m/16), 65535), batch); rows/columns are grid-stride loops.
//   v2 sgemm_tiled: 64x64 C tile per block of 256 threads (blockDim (256, 1, 1)), 16-deep K
//      slices of op(A) and op(B) staged in shared memory, 4x4 accumulators per thread;
//      grid (ceil(n/64), min(ceil(m/64), 65535), batch), tiles are grid-stride loops. No
//      register spills (ptxas -v: 0 bytes spill stores/loads for sm_80 and sm_90).
// Precision: v1 sums in double in increasing k and rounds each step separately (__dmul_rn /
// __dadd_rn, no FMA contraction): bit-exact with CpuGemm.gemmNaive (test atol 0, rtol 0).
// v2 accumulates in float (FMA) in increasing k, as CpuGemm.gemm's fast path does in another
// blocking: parity with CpuGemm.gemm atol 1e-5*sqrt(k) + rtol 1e-4 for inputs in [-1, 1].
// batch <= 65535 (gridDim.z); the launcher splits larger batches by offsetting the pointers.
#include "common.cuh"

#define GEMM_TILE 64        // rows and columns of C per block (v2)
#define GEMM_DEPTH 16       // k per shared-memory slice (v2)
#define GEMM_THREADS 256    // 16 x 16 threads, each owning 4 x 4 elements of the tile
#define GEMM_PAD (GEMM_TILE + 1)   // slice row length: the (m, k) / (n, k) layouts store 16 p
                                   // values of one row per half-warp, 65 words apart -> 2-way
                                   // bank conflicts at most instead of 16-way

// Element op(A)(i, p): A stored (k, m) when transA, else (m, k).
static __host__ __device__ __forceinline__ long long gemm_a_index(int transA, int i, int p,
                                                                  int lda) {
  return transA ? (long long)p * lda + i : (long long)i * lda + p;
}

// Element op(B)(p, j): B stored (n, k) when transB, else (k, n).
static __host__ __device__ __forceinline__ long long gemm_b_index(int transB, int p, int j,
                                                                  int ldb) {
  return transB ? (long long)j * ldb + p : (long long)p * ldb + j;
}

// Separately rounded double operations, identical on host and device (no FMA contraction).
static __host__ __device__ __forceinline__ double gemm_dmul(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

static __host__ __device__ __forceinline__ double gemm_dadd(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// v1: C(i, j) exactly as CpuGemm.gemmNaive computes it (the float*float products are exact in
// double, so only the sums round, in increasing p).
static __host__ __device__ __forceinline__ float gemm_naive_element(int transA, int transB, int i,
    int j, int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta,
    const float* c, long long ci) {
  double sum = 0.0;
  for (int p = 0; alpha != 0.0f && p < k; ++p) {
    float av = a[gemm_a_index(transA, i, p, lda)];
    float bv = b[gemm_b_index(transB, p, j, ldb)];
    sum = gemm_dadd(sum, gemm_dmul((double)av, (double)bv));
  }
  double prior = beta == 0.0f ? 0.0 : gemm_dmul((double)beta, (double)c[ci]);
  return (float)gemm_dadd(gemm_dmul((double)alpha, sum), prior);
}

extern "C" __global__ void sgemm_naive(int transA, int transB, int m, int n, int k, float alpha,
                                       const float* a, int lda, long long strideA,
                                       const float* b, int ldb, long long strideB, float beta,
                                       float* c, int ldc, long long strideC) {
  a += blockIdx.z * strideA;
  b += blockIdx.z * strideB;
  c += blockIdx.z * strideC;
  for (int i = blockIdx.y * blockDim.y + threadIdx.y; i < m; i += gridDim.y * blockDim.y) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < n; j += gridDim.x * blockDim.x) {
      long long ci = (long long)i * ldc + j;
      c[ci] = gemm_naive_element(transA, transB, i, j, k, alpha, a, lda, b, ldb, beta, c, ci);
    }
  }
}

// v2 building blocks. Thread tid (0..255) owns tile rows ty + 16*r and columns tx + 16*s
// (r, s = 0..3; tx = tid % 16, ty = tid / 16): a half-warp reads 16 consecutive Bs words and one
// As word (broadcast), and writes 16 consecutive C columns.

// As[p][r] = op(A)(row0 + r, p0 + p) for the 64 x 16 slice, zero outside op(A). Each thread
// loads 4 of the 1024 elements; consecutive threads take consecutive addresses of the stored
// layout (p fastest when A is (m, k), r fastest when A is (k, m)) so the loads coalesce.
static __host__ __device__ __forceinline__ void gemm_load_a(float (*As)[GEMM_PAD], const float* a,
    int transA, int lda, int m, int k, int row0, int p0, int tid) {
#pragma unroll
  for (int l = 0; l < GEMM_TILE * GEMM_DEPTH / GEMM_THREADS; ++l) {
    int e = tid + l * GEMM_THREADS;
    int r = transA ? e % GEMM_TILE : e / GEMM_DEPTH;
    int p = transA ? e / GEMM_TILE : e % GEMM_DEPTH;
    int i = row0 + r, q = p0 + p;
    As[p][r] = (i < m && q < k) ? a[gemm_a_index(transA, i, q, lda)] : 0.0f;
  }
}

// Bs[p][s] = op(B)(p0 + p, col0 + s), zero outside op(B); j fastest when B is (k, n), p fastest
// when B is (n, k).
static __host__ __device__ __forceinline__ void gemm_load_b(float (*Bs)[GEMM_PAD], const float* b,
    int transB, int ldb, int n, int k, int col0, int p0, int tid) {
#pragma unroll
  for (int l = 0; l < GEMM_TILE * GEMM_DEPTH / GEMM_THREADS; ++l) {
    int e = tid + l * GEMM_THREADS;
    int s = transB ? e / GEMM_DEPTH : e % GEMM_TILE;
    int p = transB ? e % GEMM_DEPTH : e / GEMM_TILE;
    int j = col0 + s, q = p0 + p;
    Bs[p][s] = (j < n && q < k) ? b[gemm_b_index(transB, q, j, ldb)] : 0.0f;
  }
}

// acc[r][s] += sum over the slice's p, in increasing p, of As[p][ty+16r] * Bs[p][tx+16s].
// Past k both slices hold zeros, so the padding adds +0 to valid elements.
static __host__ __device__ __forceinline__ void gemm_multiply(const float (*As)[GEMM_PAD],
    const float (*Bs)[GEMM_PAD], int tx, int ty, float (*acc)[4]) {
#pragma unroll
  for (int p = 0; p < GEMM_DEPTH; ++p) {
    float av[4], bv[4];
#pragma unroll
    for (int r = 0; r < 4; ++r) av[r] = As[p][ty + 16 * r];
#pragma unroll
    for (int s = 0; s < 4; ++s) bv[s] = Bs[p][tx + 16 * s];
#pragma unroll
    for (int r = 0; r < 4; ++r) {
#pragma unroll
      for (int s = 0; s < 4; ++s) acc[r][s] = fmaf(av[r], bv[s], acc[r][s]);
    }
  }
}

// C(row0 + ty + 16r, col0 + tx + 16s) = alpha*acc + beta*C (C unread when beta == 0).
static __host__ __device__ __forceinline__ void gemm_store(float* c, int ldc, int m, int n,
    int row0, int col0, int tx, int ty, float alpha, float beta, const float (*acc)[4]) {
#pragma unroll
  for (int r = 0; r < 4; ++r) {
    int i = row0 + ty + 16 * r;
    if (i >= m) continue;
#pragma unroll
    for (int s = 0; s < 4; ++s) {
      int j = col0 + tx + 16 * s;
      if (j >= n) continue;
      long long ci = (long long)i * ldc + j;
      float v = alpha * acc[r][s];
      c[ci] = beta == 0.0f ? v : v + beta * c[ci];
    }
  }
}

extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
sgemm_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
            long long strideA, const float* b, int ldb, long long strideB, float beta, float* c,
            int ldc, long long strideC) {
  __shared__ float As[GEMM_DEPTH][GEMM_PAD];   // op(A) slice, p-major: As[p][r]
  __shared__ float Bs[GEMM_DEPTH][GEMM_PAD];   // op(B) slice: Bs[p][s]
  a += blockIdx.z * strideA;
  b += blockIdx.z * strideB;
  c += blockIdx.z * strideC;
  int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  int slices = alpha == 0.0f ? 0 : (k + GEMM_DEPTH - 1) / GEMM_DEPTH;   // alpha 0: A, B unread
  // Loop bounds depend on blockIdx only, so every thread reaches every __syncthreads.
  for (int row0 = blockIdx.y * GEMM_TILE; row0 < m; row0 += gridDim.y * GEMM_TILE) {
    for (int col0 = blockIdx.x * GEMM_TILE; col0 < n; col0 += gridDim.x * GEMM_TILE) {
      float acc[4][4];
#pragma unroll
      for (int r = 0; r < 4; ++r) {
#pragma unroll
        for (int s = 0; s < 4; ++s) acc[r][s] = 0.0f;
      }
      for (int t = 0; t < slices; ++t) {
        gemm_load_a(As, a, transA, lda, m, k, row0, t * GEMM_DEPTH, tid);
        gemm_load_b(Bs, b, transB, ldb, n, k, col0, t * GEMM_DEPTH, tid);
        __syncthreads();
        gemm_multiply(As, Bs, tx, ty, acc);
        __syncthreads();                         // the next slice overwrites As and Bs
      }
      gemm_store(c, ldc, m, n, row0, col0, tx, ty, alpha, beta, acc);
    }
  }
}
