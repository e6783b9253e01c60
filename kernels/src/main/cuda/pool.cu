// pool.cu: 2-D max and average pooling, NCHW float32, PyTorch floor mode.
//   x: (n, c, h, w) -> y: (n, c, outH, outW); window of y[., ., oh, ow]: rows
//   oh*strideH - padH + [0, kH), columns ow*strideW - padW + [0, kW), clipped to the input.
//   max: padding is -inf, the first maximum in row-major scan order wins (a later NaN replaces
//        anything, as in the twin); argmax = ih*w + iw inside the input plane.
//   avg: (1/(kH*kW)) * sum over the clipped window (count_include_pad = True), sum in double.
// CPU twin: tensor/cpu/CpuPool2d (maxForward, maxBackward, avgForward, avgBackward).
// Launcher: kernels/.../CudaPool (PoolKernels max/avg pool forward and backward).
// Versions: v1 only. All kernels are grid-stride over their OUTPUT elements (blockDim 256,
// grid = min(ceil(total/256), 65535*8)). The backwards are gather forms: each dx cell walks the
// windows that contain it in (oh, ow) row-major order, the order in which the twin's scatter
// loop adds to it, so no atomics, deterministic, and every kernel is bit-exact with its twin
// (test with atol 0, rtol 0): same float/double operations in the same order.
#include "common.cuh"

// First output position whose window [o*stride - pad, o*stride - pad + k) contains input
// position in: o*stride - pad + k - 1 >= in  <=>  o >= ceil((in + pad - k + 1) / stride).
static __host__ __device__ __forceinline__ int pool_first_window(int in, int k, int stride,
                                                                 int pad) {
  int num = in + pad - k + 1;
  return num <= 0 ? 0 : (num + stride - 1) / stride;
}

// Last such output position: o*stride - pad <= in  <=>  o <= floor((in + pad) / stride),
// clamped to out - 1 (in + pad >= 0, so the division floors).
static __host__ __device__ __forceinline__ int pool_last_window(int in, int stride, int pad,
                                                                int out) {
  int o = (in + pad) / stride;
  return o < out - 1 ? o : out - 1;
}

// y and argmax for output element e = (plane*outH + oh)*outW + ow.
static __host__ __device__ __forceinline__ void max_pool_at(const float* x, float* y, int* argmax,
    long long e, int h, int w, int kH, int kW, int strideH, int strideW, int padH, int padW,
    int outH, int outW) {
  int ow = (int)(e % outW);
  long long t = e / outW;
  int oh = (int)(t % outH);
  long long plane = t / outH;
  const float* xp = x + plane * h * w;                    // x[plane, :, :]
  int h0 = oh * strideH - padH, w0 = ow * strideW - padW;
  int hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < h ? h0 + kH : h;
  int wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < w ? w0 + kW : w;
  float best = -INFINITY;
  int at = hLo * w + wLo;                                 // all -inf: report the first cell
  for (int ih = hLo; ih < hHi; ++ih) {
    for (int iw = wLo; iw < wHi; ++iw) {
      float v = xp[ih * w + iw];
      if (v > best || v != v) {                           // strict >: first max wins; NaN wins
        best = v;
        at = ih * w + iw;
      }
    }
  }
  y[e] = best;
  argmax[e] = at;
}

// dx element e = (plane*h + ih)*w + iw: the sum of dy over the windows containing (ih, iw)
// whose argmax is this cell, windows in row-major order.
static __host__ __device__ __forceinline__ float max_pool_backward_at(const float* dy,
    const int* argmax, long long e, int h, int w, int kH, int kW, int strideH, int strideW,
    int padH, int padW, int outH, int outW) {
  int iw = (int)(e % w);
  long long t = e / w;
  int ih = (int)(t % h);
  long long yOff = (t / h) * outH * outW;                 // start of dy[plane, :, :]
  int self = ih * w + iw;
  int ohHi = pool_last_window(ih, strideH, padH, outH);
  int owLo = pool_first_window(iw, kW, strideW, padW);
  int owHi = pool_last_window(iw, strideW, padW, outW);
  float sum = 0.0f;
  for (int oh = pool_first_window(ih, kH, strideH, padH); oh <= ohHi; ++oh) {
    for (int ow = owLo; ow <= owHi; ++ow) {
      long long o = yOff + oh * outW + ow;
      if (argmax[o] == self) sum += dy[o];
    }
  }
  return sum;
}

// y for output element e: the window sum in double, divided by the full window area.
static __host__ __device__ __forceinline__ float avg_pool_at(const float* x, long long e, int h,
    int w, int kH, int kW, int strideH, int strideW, int padH, int padW, int outH, int outW) {
  int ow = (int)(e % outW);
  long long t = e / outW;
  int oh = (int)(t % outH);
  const float* xp = x + (t / outH) * h * w;
  int h0 = oh * strideH - padH, w0 = ow * strideW - padW;
  int hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < h ? h0 + kH : h;
  int wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < w ? w0 + kW : w;
  double sum = 0.0;
  for (int ih = hLo; ih < hHi; ++ih) {
    for (int iw = wLo; iw < wHi; ++iw) sum += xp[ih * w + iw];
  }
  return (float)(sum / ((double)kH * kW));
}

// dx element e: sum over the windows containing (ih, iw), row-major, of dy / (kH*kW) in float
// (the twin's share, divided once per window, then added).
static __host__ __device__ __forceinline__ float avg_pool_backward_at(const float* dy,
    long long e, int h, int w, int kH, int kW, int strideH, int strideW, int padH, int padW,
    int outH, int outW) {
  int iw = (int)(e % w);
  long long t = e / w;
  int ih = (int)(t % h);
  long long yOff = (t / h) * outH * outW;
  float area = (float)(kH * kW);
  int ohHi = pool_last_window(ih, strideH, padH, outH);
  int owLo = pool_first_window(iw, kW, strideW, padW);
  int owHi = pool_last_window(iw, strideW, padW, outW);
  float sum = 0.0f;
  for (int oh = pool_first_window(ih, kH, strideH, padH); oh <= ohHi; ++oh) {
    for (int ow = owLo; ow <= owHi; ++ow) sum += dy[yOff + oh * outW + ow] / area;
  }
  return sum;
}

// y, argmax: (n, c, outH, outW) from x: (n, c, h, w).
extern "C" __global__ void max_pool2d_forward(const float* x, float* y, int* argmax, int n, int c,
                                              int h, int w, int kH, int kW, int strideH,
                                              int strideW, int padH, int padW, int outH,
                                              int outW) {
  long long total = (long long)n * c * outH * outW;
  FT4J_GRID_STRIDE(e, total) {
    max_pool_at(x, y, argmax, e, h, w, kH, kW, strideH, strideW, padH, padW, outH, outW);
  }
}

// dx: (n, c, h, w), overwritten, from dy and argmax: (n, c, outH, outW).
extern "C" __global__ void max_pool2d_backward(const float* dy, const int* argmax, float* dx,
                                               int n, int c, int h, int w, int kH, int kW,
                                               int strideH, int strideW, int padH, int padW,
                                               int outH, int outW) {
  long long total = (long long)n * c * h * w;
  FT4J_GRID_STRIDE(e, total) {
    dx[e] = max_pool_backward_at(dy, argmax, e, h, w, kH, kW, strideH, strideW, padH, padW, outH,
                                 outW);
  }
}

// y: (n, c, outH, outW) from x: (n, c, h, w).
extern "C" __global__ void avg_pool2d_forward(const float* x, float* y, int n, int c, int h, int w,
                                              int kH, int kW, int strideH, int strideW, int padH,
                                              int padW, int outH, int outW) {
  long long total = (long long)n * c * outH * outW;
  FT4J_GRID_STRIDE(e, total) {
    y[e] = avg_pool_at(x, e, h, w, kH, kW, strideH, strideW, padH, padW, outH, outW);
  }
}

// dx: (n, c, h, w), overwritten, from dy: (n, c, outH, outW).
extern "C" __global__ void avg_pool2d_backward(const float* dy, float* dx, int n, int c, int h,
                                               int w, int kH, int kW, int strideH, int strideW,
                                               int padH, int padW, int outH, int outW) {
  long long total = (long long)n * c * h * w;
  FT4J_GRID_STRIDE(e, total) {
    dx[e] = avg_pool_backward_at(dy, e, h, w, kH, kW, strideH, strideW, padH, padW, outH, outW);
  }
}
