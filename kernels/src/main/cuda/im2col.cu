// im2col.cu: im2col and its adjoint col2im for one NCHW image, PyTorch's conv2d index arithmetic.
//   col[(ch*kH + i)*kW + j, oh*outW + ow] = x[ch, oh*strideH - padH + i*dilH,
//                                              ow*strideW - padW + j*dilW]   (0 in the padding)
//   col: (c*kH*kW, outH*outW), row stride outH*outW (no ldCol: the CPU twin's ldCol == outH*outW).
//   col2im: dx[ch, ih, iw] = sum of the col entries im2col copied from x[ch, ih, iw].
// CPU twin: tensor/cpu/Im2col (im2col, col2im). Launcher: kernels/.../CudaConv
// (ConvKernels conv2d fallback: forward = im2col + gemm, backward data = gemm + col2im).
// Versions: v1 only. Both kernels are grid-stride over their OUTPUT elements (blockDim 256,
// grid = min(ceil(total/256), 65535*8)); col2im is the gather form: each x element sums its
// kH*kW possible col entries in (i, j) order, which is the order the twin's scatter loop adds
// them in, so no atomics and the result is deterministic.
// Precision: im2col copies; col2im adds in float in the twin's order, so parity is bit-exact
// (test with atol 0, rtol 0; a -0/+0 difference cannot arise: both start from +0).
#include "common.cuh"

// Input coordinate read by output position o through kernel tap t: o*stride - pad + t*dil.
static __host__ __device__ __forceinline__ int im2col_source(int o, int t, int stride, int pad,
                                                             int dil) {
  return o * stride - pad + t * dil;
}

// The inverse for col2im: the output position o with o*stride - pad + t*dil == in, or -1 when
// there is none, i.e. when (in + pad - t*dil) is negative, not a multiple of stride, or >= out.
static __host__ __device__ __forceinline__ int im2col_output_of(int in, int t, int stride, int pad,
                                                                int dil, int out) {
  int num = in + pad - t * dil;                  // = o*stride
  if (num < 0 || num % stride != 0) return -1;
  int o = num / stride;
  return o < out ? o : -1;
}

// col element e (row r = (ch*kH + i)*kW + j, column oh*outW + ow) of one image.
static __host__ __device__ __forceinline__ float im2col_at(const float* x, int e, int h, int w,
    int kH, int kW, int strideH, int strideW, int padH, int padW, int dilH, int dilW, int outH,
    int outW) {
  int ow = e % outW;
  int t = e / outW;
  int oh = t % outH;
  t /= outH;                                     // t = row r
  int j = t % kW;
  t /= kW;
  int i = t % kH;
  int ch = t / kH;
  int ih = im2col_source(oh, i, strideH, padH, dilH);
  int iw = im2col_source(ow, j, strideW, padW, dilW);
  if (ih < 0 || ih >= h || iw < 0 || iw >= w) return 0.0f;
  return x[((long long)ch * h + ih) * w + iw];
}

// dx element e = (ch*h + ih)*w + iw of one image: the sum over taps (i, j), in the twin's row
// order, of col[(ch*kH + i)*kW + j, oh*outW + ow] for the (oh, ow) that read (ih, iw) through
// that tap; a tap reads a given input cell from at most one output position.
static __host__ __device__ __forceinline__ float col2im_at(const float* col, int e, int h, int w,
    int kH, int kW, int strideH, int strideW, int padH, int padW, int dilH, int dilW, int outH,
    int outW) {
  int iw = e % w;
  int t = e / w;
  int ih = t % h;
  int ch = t / h;
  long long plane = (long long)outH * outW;      // one col row
  float sum = 0.0f;
  for (int i = 0; i < kH; ++i) {
    int oh = im2col_output_of(ih, i, strideH, padH, dilH, outH);
    if (oh < 0) continue;
    for (int j = 0; j < kW; ++j) {
      int ow = im2col_output_of(iw, j, strideW, padW, dilW, outW);
      if (ow < 0) continue;
      long long row = ((long long)ch * kH + i) * kW + j;
      sum += col[row * plane + (long long)oh * outW + ow];
    }
  }
  return sum;
}

// col (c*kH*kW, outH*outW) from x (c, h, w); every col element is written (zeros in padding).
extern "C" __global__ void im2col(const float* x, float* col, int c, int h, int w, int kH, int kW,
                                  int strideH, int strideW, int padH, int padW, int dilH,
                                  int dilW, int outH, int outW) {
  long long total = (long long)c * kH * kW * outH * outW;
  FT4J_GRID_STRIDE(e, total) {
    col[e] = im2col_at(x, (int)e, h, w, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH,
                       outW);
  }
}

// x (c, h, w) = col2im(col), overwritten (cells no output reads, e.g. past the last stride, get 0).
extern "C" __global__ void col2im(const float* col, float* x, int c, int h, int w, int kH, int kW,
                                  int strideH, int strideW, int padH, int padW, int dilH,
                                  int dilW, int outH, int outW) {
  long long total = (long long)c * h * w;
  FT4J_GRID_STRIDE(e, total) {
    x[e] = col2im_at(col, (int)e, h, w, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH,
                     outW);
  }
}
