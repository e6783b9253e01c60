// elementwise.cu: pointwise kernels y = f(x), y = x op s, y = a op b (same shape or broadcast),
// where, clamp, fill, axpy, scale.
// CPU twin: tensor/cpu/CpuElementwise (unary, unaryBackward, scalar, clamp, binary, where).
// Launcher: kernels/.../CudaElementwise and CudaMemory (symbols from UnaryOp/ScalarOp/BinaryOp
// .kernelSymbol()).
// Versions: v1 only: grid-stride loops, launcher blockDim 256, grid min(ceil(n/256), 65535*8).
// Semantics follow the twin exactly: Java Math.max/min (NaN wins, -0 < +0), comparison masks
// that keep NaN (CpuElementwise.step), signum(±0) = ±0. exp/log/tanh/pow/sigmoid are taken in
// double and rounded once, as Math.exp etc.; sqrt and division are IEEE-rounded in float.
// Precision: float per element. Parity tolerance: exact except exp/log/tanh/pow/sigmoid
// (1 ulp: CUDA's double libm vs Java's), atol 0 + rtol 1e-6.
#include "common.cuh"

__device__ __forceinline__ float ew_sign(float x) {
  if (x != x || x == 0.0f) return x;                    // NaN and ±0 map to themselves
  return x > 0.0f ? 1.0f : -1.0f;
}

__device__ __forceinline__ float ew_sigmoid(float x) {  // as CpuElementwise.sigmoid, no overflow
  if (x >= 0.0f) return (float)(1.0 / (1.0 + exp(-(double)x)));
  double e = exp((double)x);
  return (float)(e / (1.0 + e));
}

// ---------------------------------------------------------------- unary: y = f(x)
#define FT4J_UNARY(name, expr)                                                          \
  extern "C" __global__ void unary_##name(const float* x, float* y, int n) {            \
    FT4J_GRID_STRIDE(i, n) {                                                            \
      const float v = x[i];                                                             \
      y[i] = (expr);                                                                    \
    }                                                                                   \
  }

FT4J_UNARY(neg, -v)
FT4J_UNARY(exp, (float)exp((double)v))
FT4J_UNARY(log, (float)log((double)v))
FT4J_UNARY(sqrt, sqrtf(v))
FT4J_UNARY(abs, fabsf(v))
FT4J_UNARY(square, v * v)
FT4J_UNARY(reciprocal, 1.0f / v)
FT4J_UNARY(sign, ew_sign(v))
FT4J_UNARY(relu, ft4j_maxf(v, 0.0f))
FT4J_UNARY(relu6, ft4j_minf(ft4j_maxf(v, 0.0f), 6.0f))
FT4J_UNARY(sigmoid, ew_sigmoid(v))
FT4J_UNARY(tanh, (float)tanh((double)v))

// ---------------------------------------------------------------- unary backward: dx = dy * f'
// In terms of x and y = f(x), exactly CpuElementwise.unaryBackward (same operation order).
#define FT4J_UNARY_BACKWARD(name, expr)                                                 \
  extern "C" __global__ void unary_backward_##name(const float* x, const float* y,      \
                                                   const float* dy, float* dx, int n) { \
    FT4J_GRID_STRIDE(i, n) {                                                            \
      const float xv = x ? x[i] : 0.0f;                                                 \
      const float yv = y ? y[i] : 0.0f;                                                 \
      const float g = dy[i];                                                            \
      (void)xv;                                                                         \
      (void)yv;                                                                         \
      (void)g;                                                                          \
      dx[i] = (expr);                                                                   \
    }                                                                                   \
  }

// x or y may be null for the ops that do not read it (the launcher may pass only what it has).
FT4J_UNARY_BACKWARD(neg, -g)
FT4J_UNARY_BACKWARD(exp, __fmul_rn(g, yv))
FT4J_UNARY_BACKWARD(log, g / xv)
FT4J_UNARY_BACKWARD(sqrt, __fmul_rn(g / yv, 0.5f))
FT4J_UNARY_BACKWARD(abs, __fmul_rn(g, ft4j_step(xv) - ft4j_step(-xv)))
FT4J_UNARY_BACKWARD(square, __fmul_rn(__fmul_rn(g, xv), 2.0f))
FT4J_UNARY_BACKWARD(reciprocal, -__fmul_rn(g, __fmul_rn(yv, yv)))
FT4J_UNARY_BACKWARD(sign, 0.0f)                     // Arrays.fill(dx, 0f): even for NaN dy
FT4J_UNARY_BACKWARD(relu, __fmul_rn(g, ft4j_step(xv)))
FT4J_UNARY_BACKWARD(relu6, __fmul_rn(g, __fmul_rn(ft4j_step(xv), ft4j_step(6.0f - xv))))
FT4J_UNARY_BACKWARD(sigmoid, __fmul_rn(g, __fmul_rn(yv, 1.0f - yv)))
FT4J_UNARY_BACKWARD(tanh, __fmul_rn(g, __fsub_rn(1.0f, __fmul_rn(yv, yv))))

// ---------------------------------------------------------------- scalar: y = x op s
#define FT4J_SCALAR(name, expr)                                                         \
  extern "C" __global__ void scalar_##name(const float* x, float s, float* y, int n) {  \
    FT4J_GRID_STRIDE(i, n) {                                                            \
      const float v = x[i];                                                             \
      y[i] = (expr);                                                                    \
    }                                                                                   \
  }

// pow: s == 2 is v*v and s == 1 a copy, as the twin's fast paths (they differ from Math.pow
// only in rounding, but parity wants the same numbers).
__device__ __forceinline__ float ew_pow(float v, float s) {
  if (s == 2.0f) return v * v;
  if (s == 1.0f) return v;
  return (float)pow((double)v, (double)s);
}

FT4J_SCALAR(add, v + s)
FT4J_SCALAR(mul, v * s)
FT4J_SCALAR(rsub, s - v)
FT4J_SCALAR(pow, ew_pow(v, s))
FT4J_SCALAR(max, ft4j_maxf(v, s))
FT4J_SCALAR(min, ft4j_minf(v, s))
FT4J_SCALAR(gt, ft4j_step(v - s))
FT4J_SCALAR(ge, 1.0f - ft4j_step(s - v))
FT4J_SCALAR(lt, ft4j_step(s - v))
FT4J_SCALAR(le, 1.0f - ft4j_step(v - s))
FT4J_SCALAR(eq, 1.0f - ft4j_step(fabsf(v - s)))

extern "C" __global__ void clamp(const float* x, float lo, float hi, float* y, int n) {
  FT4J_GRID_STRIDE(i, n) y[i] = ft4j_minf(ft4j_maxf(x[i], lo), hi);
}

// ---------------------------------------------------------------- binary: y = a op b
// CpuElementwise.apply, one definition shared by the same-shape and broadcast kernels.
#define FT4J_BINARY(name, expr)                                                         \
  __device__ __forceinline__ float bin_##name(float p, float q) { return (expr); }      \
  extern "C" __global__ void binary_##name(const float* a, const float* b, float* y,    \
                                           int n) {                                     \
    FT4J_GRID_STRIDE(i, n) y[i] = bin_##name(a[i], b[i]);                               \
  }                                                                                     \
  extern "C" __global__ void binary_##name##_bcast(const float* a, Strided as,          \
                                                   const float* b, Strided bs, float* y, \
                                                   int n) {                             \
    FT4J_GRID_STRIDE(i, n) {                                                            \
      long long bo;                                                                     \
      long long ao = ft4j_strided_offset2(as, bs, i, &bo);                              \
      y[i] = bin_##name(a[ao], b[bo]);                                                  \
    }                                                                                   \
  }

FT4J_BINARY(add, p + q)
FT4J_BINARY(sub, p - q)
FT4J_BINARY(mul, p * q)
FT4J_BINARY(div, p / q)
FT4J_BINARY(max, ft4j_maxf(p, q))
FT4J_BINARY(min, ft4j_minf(p, q))
FT4J_BINARY(gt, ft4j_step(p - q))
FT4J_BINARY(ge, 1.0f - ft4j_step(q - p))
FT4J_BINARY(lt, ft4j_step(q - p))
FT4J_BINARY(le, 1.0f - ft4j_step(p - q))
FT4J_BINARY(eq, 1.0f - ft4j_step(fabsf(p - q)))
FT4J_BINARY(ne, ft4j_step(fabsf(p - q)))

// y = mask != 0 ? a : b, all three broadcast to the output shape (decomposed by ms.shape).
extern "C" __global__ void where_bcast(const float* mask, Strided ms, const float* a, Strided as,
                                       const float* b, Strided bs, float* y, int n) {
  FT4J_GRID_STRIDE(i, n) {
    long long ao, bo;
    long long mo = ft4j_strided_offset2(ms, as, i, &ao);
    ft4j_strided_offset2(ms, bs, i, &bo);
    y[i] = mask[mo] != 0.0f ? a[ao] : b[bo];
  }
}

// ---------------------------------------------------------------- in-place helpers
extern "C" __global__ void fill(float* y, float v, int n) {
  FT4J_GRID_STRIDE(i, n) y[i] = v;
}

// y += alpha * x, rounded as two float operations (no FMA), as the Java loop computes it.
extern "C" __global__ void axpy(float* y, float alpha, const float* x, int n) {
  FT4J_GRID_STRIDE(i, n) y[i] = __fadd_rn(y[i], __fmul_rn(alpha, x[i]));
}

extern "C" __global__ void scale(float* y, float s, int n) {
  FT4J_GRID_STRIDE(i, n) y[i] = y[i] * s;
}
