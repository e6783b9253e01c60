// bilinear_resize.cu: bilinear resize, F.interpolate(mode='bilinear', align_corners=False).
//   x: (nc, inH, inW) -> y: (nc, outH, outW), each plane on its own. Per axis, in float as
//   PyTorch: scale = in/out, src = max((dst + 0.5)*scale - 0.5, 0), i0 = min(floor(src), in-1),
//   i1 = min(i0 + 1, in - 1), l = min(src - i0, 1);
//   y = (1-lh)*((1-lw)*x[i0,j0] + lw*x[i0,j1]) + lh*((1-lw)*x[i1,j0] + lw*x[i1,j1]).
//   backward: dx = the adjoint, each dy spread over its 2x2 source cells with the same weights.
// CPU twin: tensor/cpu/CpuBilinearResize (forward, backward). Launcher: kernels/.../
// CudaPool (the resize used by the feature-map methods / input pipeline).
// Versions: v1 only. Both kernels are grid-stride over their OUTPUT elements (blockDim 256,
// grid = min(ceil(total/256), 65535*8)). The backward is the gather form: each dx cell walks a
// bounded range of output rows/columns (from the inverse of the scale, one row of margin each
// side), keeps those whose recomputed (i0, i1) / (j0, j1) include it, and adds their shares in
// (oh, ow) order and, per output, in the twin's order of its four statements: no atomics.
// Precision: float, as the twin, with every multiply and add rounded on its own (__fmul_rn /
// __fadd_rn: nvcc would otherwise fuse them into FMAs), so forward and backward are bit-exact
// with the twin (test with atol 0, rtol 0).
#include "common.cuh"

// Separately rounded float operations (no FMA contraction), identical on host and device.
static __host__ __device__ __forceinline__ float bl_mul(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

static __host__ __device__ __forceinline__ float bl_add(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

static __host__ __device__ __forceinline__ float bl_sub(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

// PyTorch's float scale (float) in / out, correctly rounded.
static __host__ __device__ __forceinline__ float bl_scale(int in, int out) {
#ifdef __CUDA_ARCH__
  return __fdiv_rn((float)in, (float)out);
#else
  return (float)in / (float)out;
#endif
}

// The twin's Axis entry for output position dst: source cells i0, i1 and the weight of i1.
struct BlSource {
  int i0, i1;
  float lambda;
};

static __host__ __device__ __forceinline__ BlSource bl_source(int dst, int in, float scale) {
  float src = bl_sub(bl_mul(scale, bl_add((float)dst, 0.5f)), 0.5f);
  src = src > 0.0f ? src : 0.0f;                          // Math.max(., 0f); src is never NaN
  BlSource s;
  s.i0 = (int)src < in - 1 ? (int)src : in - 1;           // src >= 0: the cast floors
  s.i1 = s.i0 + 1 < in - 1 ? s.i0 + 1 : in - 1;
  float l = bl_sub(src, (float)s.i0);
  s.lambda = l < 1.0f ? l : 1.0f;
  return s;
}

// Output positions dst whose (i0, i1) can include input position i. That needs i0 in
// {i - 1, i}, i.e. src in [i - 1, i + 1), and src = (dst + 0.5)*in/out - 0.5 inverts to
// dst in [(i - 0.5)*out/in - 0.5, (i + 1.5)*out/in - 0.5). One position of margin each side
// absorbs the float rounding of src; the caller re-checks every candidate exactly, so the
// range only has to be a superset. Clamped to [0, out - 1]; first > last when empty.
static __host__ __device__ __forceinline__ int bl_first_candidate(int i, int in, int out) {
  double d = floor(((double)i - 0.5) * out / in - 0.5) - 1.0;
  return d > 0.0 ? (int)d : 0;
}

static __host__ __device__ __forceinline__ int bl_last_candidate(int i, int in, int out) {
  double d = ceil(((double)i + 1.5) * out / in - 0.5) + 1.0;
  return d < (double)(out - 1) ? (int)d : out - 1;
}

// y element e = (plane*outH + oh)*outW + ow.
static __host__ __device__ __forceinline__ float bilinear_at(const float* x, long long e,
    int inH, int inW, int outH, int outW, float scaleH, float scaleW) {
  int ow = (int)(e % outW);
  long long t = e / outW;
  int oh = (int)(t % outH);
  const float* xp = x + (t / outH) * inH * inW;           // x[plane, :, :]
  BlSource r = bl_source(oh, inH, scaleH), q = bl_source(ow, inW, scaleW);
  const float* top = xp + (long long)r.i0 * inW;
  const float* bottom = xp + (long long)r.i1 * inW;
  float lh = r.lambda, lh0 = bl_sub(1.0f, lh);
  float lw = q.lambda, lw0 = bl_sub(1.0f, lw);
  float upper = bl_add(bl_mul(lw0, top[q.i0]), bl_mul(lw, top[q.i1]));
  float lower = bl_add(bl_mul(lw0, bottom[q.i0]), bl_mul(lw, bottom[q.i1]));
  return bl_add(bl_mul(lh0, upper), bl_mul(lh, lower));
}

// dx element e = (plane*inH + ih)*inW + iw: the twin's four statements
//   dx[i0,j0] += lh0*lw0*g;  dx[i0,j1] += lh0*lw*g;  dx[i1,j0] += lh*lw0*g;  dx[i1,j1] += lh*lw*g
// for every output (oh, ow) in row-major order, keeping only the ones that land on (ih, iw).
static __host__ __device__ __forceinline__ float bilinear_backward_at(const float* dy,
    long long e, int inH, int inW, int outH, int outW, float scaleH, float scaleW) {
  int iw = (int)(e % inW);
  long long t = e / inW;
  int ih = (int)(t % inH);
  const float* dyp = dy + (t / inH) * outH * outW;        // dy[plane, :, :]
  int ohHi = bl_last_candidate(ih, inH, outH);
  int owLo = bl_first_candidate(iw, inW, outW), owHi = bl_last_candidate(iw, inW, outW);
  float sum = 0.0f;
  for (int oh = bl_first_candidate(ih, inH, outH); oh <= ohHi; ++oh) {
    BlSource r = bl_source(oh, inH, scaleH);
    bool top = r.i0 == ih, bottom = r.i1 == ih;           // both at the last row (i0 == i1)
    if (!top && !bottom) continue;
    float lh = r.lambda, lh0 = bl_sub(1.0f, lh);
    for (int ow = owLo; ow <= owHi; ++ow) {
      BlSource q = bl_source(ow, inW, scaleW);
      bool left = q.i0 == iw, right = q.i1 == iw;
      if (!left && !right) continue;
      float lw = q.lambda, lw0 = bl_sub(1.0f, lw);
      float g = dyp[(long long)oh * outW + ow];
      if (top && left) sum = bl_add(sum, bl_mul(bl_mul(lh0, lw0), g));
      if (top && right) sum = bl_add(sum, bl_mul(bl_mul(lh0, lw), g));
      if (bottom && left) sum = bl_add(sum, bl_mul(bl_mul(lh, lw0), g));
      if (bottom && right) sum = bl_add(sum, bl_mul(bl_mul(lh, lw), g));
    }
  }
  return sum;
}

// y: (nc, outH, outW) from x: (nc, inH, inW).
extern "C" __global__ void bilinear_resize_forward(const float* x, float* y, int nc, int inH,
                                                   int inW, int outH, int outW) {
  float scaleH = bl_scale(inH, outH), scaleW = bl_scale(inW, outW);
  long long total = (long long)nc * outH * outW;
  FT4J_GRID_STRIDE(e, total) {
    y[e] = bilinear_at(x, e, inH, inW, outH, outW, scaleH, scaleW);
  }
}

// dx: (nc, inH, inW), overwritten, from dy: (nc, outH, outW).
extern "C" __global__ void bilinear_resize_backward(const float* dy, float* dx, int nc, int inH,
                                                    int inW, int outH, int outW) {
  float scaleH = bl_scale(inH, outH), scaleW = bl_scale(inW, outW);
  long long total = (long long)nc * inH * inW;
  FT4J_GRID_STRIDE(e, total) {
    dx[e] = bilinear_backward_at(dy, e, inH, inW, outH, outW, scaleH, scaleW);
  }
}
