// Host-only self-check of the dense kernels (no GPU needed): runs the __host__ __device__
// per-element helpers of im2col.cu, pool.cu, bilinear_resize.cu, gemm.cu and batch_norm.cu on the CPU
// against straight C++ ports of their Java CPU twins. Built and run by HostIndexCheckTest where nvcc exists:
//   nvcc -I kernels/src/main/cuda -o host_index_check kernels/src/test/cuda/host_index_check.cu
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <cmath>
#include <algorithm>
#include <random>
#include "im2col.cu"
#include "pool.cu"
#include "bilinear_resize.cu"
#include "gemm.cu"
#include "batch_norm.cu"

static int failures = 0;
static std::mt19937 rng(7);
static std::vector<float> rnd(size_t n, bool ints = false) {
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = ints ? (float)(int)(u(rng) * 4) : u(rng);   // ints: many ties for max
  return v;
}
static bool same(float a, float b) { uint32_t x, y; memcpy(&x, &a, 4); memcpy(&y, &b, 4); return x == y || (a != a && b != b); }
static void checkExact(const char* what, const std::vector<float>& e, const std::vector<float>& a) {
  for (size_t i = 0; i < e.size(); ++i) if (!same(e[i], a[i])) {
    printf("FAIL %s at %zu: expected %.9g actual %.9g\n", what, i, e[i], a[i]); failures++; return; }
}

// ---- Im2col twin
static int validFrom(int d, int s, int outW) { if (d >= 0) return 0; return std::min(outW, (-d + s - 1) / s); }
static int validTo(int d, int s, int w, int outW) { if (w - 1 - d < 0) return 0; return std::min(outW, (w - 1 - d) / s + 1); }
static void refIm2col(const float* x, float* col, int C, int h, int w, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int outH, int outW) {
  int ld = outH * outW, row = 0;
  for (int c = 0; c < C; c++) { int xc = c * h * w;
    for (int i = 0; i < kH; i++) { int ih0 = i * dH - pH;
      for (int j = 0; j < kW; j++, row += ld) { int dj = j * dW - pW;
        int owLo = validFrom(dj, sW, outW), owHi = std::max(owLo, validTo(dj, sW, w, outW));
        for (int oh = 0; oh < outH; oh++) { int ih = ih0 + oh * sH; int dst = row + oh * outW;
          if (ih < 0 || ih >= h) { for (int q = 0; q < outW; q++) col[dst + q] = 0; continue; }
          int src = xc + ih * w + dj;
          for (int q = 0; q < owLo; q++) col[dst + q] = 0;
          for (int ow = owLo; ow < owHi; ow++) col[dst + ow] = x[src + ow * sW];
          for (int q = owHi; q < outW; q++) col[dst + q] = 0; } } } }
}
static void refCol2im(const float* col, float* dx, int C, int h, int w, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int outH, int outW) {
  int p = outH * outW, row = 0;
  for (int q = 0; q < C * h * w; q++) dx[q] = 0;
  for (int c = 0; c < C; c++) { int xc = c * h * w;
    for (int i = 0; i < kH; i++) { int ih0 = i * dH - pH;
      for (int j = 0; j < kW; j++, row += p) { int dj = j * dW - pW;
        int owLo = validFrom(dj, sW, outW), owHi = std::max(owLo, validTo(dj, sW, w, outW));
        for (int oh = 0; oh < outH; oh++) { int ih = ih0 + oh * sH; if (ih < 0 || ih >= h) continue;
          int src = row + oh * outW, dst = xc + ih * w + dj;
          for (int ow = owLo; ow < owHi; ow++) dx[dst + ow * sW] += col[src + ow]; } } } }
}
static void testIm2col() {
  int cases[][11] = { // c h w kH kW sH sW pH pW dH dW
    {3, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1}, {2, 8, 9, 3, 2, 2, 3, 1, 0, 1, 2}, {1, 5, 5, 1, 1, 3, 3, 0, 0, 1, 1},
    {4, 10, 11, 3, 3, 2, 2, 2, 1, 2, 2}, {2, 6, 6, 2, 2, 4, 4, 0, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {2, 9, 7, 5, 3, 1, 2, 2, 1, 1, 3}, {3, 12, 12, 7, 7, 2, 2, 3, 3, 1, 1}};
  for (auto& k : cases) {
    int C = k[0], h = k[1], w = k[2], kH = k[3], kW = k[4], sH = k[5], sW = k[6], pH = k[7], pW = k[8], dH = k[9], dW = k[10];
    int outH = (h + 2 * pH - dH * (kH - 1) - 1) / sH + 1, outW = (w + 2 * pW - dW * (kW - 1) - 1) / sW + 1;
    auto x = rnd((size_t)C * h * w); size_t colN = (size_t)C * kH * kW * outH * outW;
    std::vector<float> e(colN), a(colN, 99);
    refIm2col(x.data(), e.data(), C, h, w, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW);
    for (size_t i = 0; i < colN; i++) a[i] = im2col_at(x.data(), (int)i, h, w, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW);
    checkExact("im2col", e, a);
    auto col = rnd(colN); std::vector<float> de(x.size()), da(x.size(), 99);
    refCol2im(col.data(), de.data(), C, h, w, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW);
    for (size_t i = 0; i < x.size(); i++) da[i] = col2im_at(col.data(), (int)i, h, w, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW);
    checkExact("col2im", de, da);
  }
}

// ---- Pool twin
static void testPool() {
  int cases[][8] = { // h w kH kW sH sW pH pW
    {7, 7, 3, 3, 2, 2, 1, 1}, {8, 9, 2, 2, 2, 2, 0, 0}, {6, 5, 3, 2, 1, 1, 1, 1}, {10, 11, 2, 3, 3, 3, 1, 1},
    {5, 5, 5, 5, 1, 1, 2, 2}, {1, 1, 1, 1, 1, 1, 0, 0}, {9, 8, 4, 3, 3, 2, 2, 1}, {13, 13, 3, 3, 2, 2, 0, 0}};
  for (auto& g : cases) for (int ints = 0; ints < 2; ints++) {
    int N = 2, C = 3, h = g[0], w = g[1], kH = g[2], kW = g[3], sH = g[4], sW = g[5], pH = g[6], pW = g[7];
    int outH = (h + 2 * pH - kH) / sH + 1, outW = (w + 2 * pW - kW) / sW + 1;
    size_t in = (size_t)N * C * h * w, out = (size_t)N * C * outH * outW;
    auto x = rnd(in, ints); if (ints) { x[3] = NAN; x[in - 2] = -INFINITY; }
    std::vector<float> ye(out), ya(out), ae(out), yae(out), yaa(out); std::vector<int> ame(out), ama(out);
    for (int pl = 0; pl < N * C; pl++) { int xo = pl * h * w, yo = pl * outH * outW;
      for (int oh = 0; oh < outH; oh++) { int h0 = oh * sH - pH, hLo = std::max(h0, 0), hHi = std::min(h0 + kH, h);
        for (int ow = 0; ow < outW; ow++) { int w0 = ow * sW - pW, wLo = std::max(w0, 0), wHi = std::min(w0 + kW, w);
          float mx = -INFINITY; int at = hLo * w + wLo; double sum = 0;
          for (int ih = hLo; ih < hHi; ih++) for (int iw = wLo; iw < wHi; iw++) { float v = x[xo + ih * w + iw];
            if (v > mx || std::isnan(v)) { mx = v; at = ih * w + iw; } sum += v; }
          ye[yo + oh * outW + ow] = mx; ame[yo + oh * outW + ow] = at;
          yae[yo + oh * outW + ow] = (float)(sum / ((double)kH * kW)); } } }
    for (size_t e = 0; e < out; e++) { max_pool_at(x.data(), ya.data(), ama.data(), e, h, w, kH, kW, sH, sW, pH, pW, outH, outW);
      yaa[e] = avg_pool_at(x.data(), e, h, w, kH, kW, sH, sW, pH, pW, outH, outW); }
    checkExact("maxpool y", ye, ya); checkExact("avgpool y", yae, yaa);
    for (size_t e = 0; e < out; e++) if (ame[e] != ama[e]) { printf("FAIL argmax %zu\n", e); failures++; break; }
    auto dy = rnd(out); std::vector<float> dme(in, 0), dma(in), dae(in, 0), daa(in);
    float area = (float)kH * kW;
    for (int pl = 0; pl < N * C; pl++) { int xo = pl * h * w, yo = pl * outH * outW;
      for (int i = 0; i < outH * outW; i++) dme[xo + ame[yo + i]] += dy[yo + i];
      for (int oh = 0; oh < outH; oh++) { int h0 = oh * sH - pH, hLo = std::max(h0, 0), hHi = std::min(h0 + kH, h);
        for (int ow = 0; ow < outW; ow++) { int w0 = ow * sW - pW, wLo = std::max(w0, 0), wHi = std::min(w0 + kW, w);
          float share = dy[yo + oh * outW + ow] / area;
          for (int ih = hLo; ih < hHi; ih++) for (int iw = wLo; iw < wHi; iw++) dae[xo + ih * w + iw] += share; } } }
    for (size_t e = 0; e < in; e++) { dma[e] = max_pool_backward_at(dy.data(), ame.data(), e, h, w, kH, kW, sH, sW, pH, pW, outH, outW);
      daa[e] = avg_pool_backward_at(dy.data(), e, h, w, kH, kW, sH, sW, pH, pW, outH, outW); }
    checkExact("maxpool dx", dme, dma); checkExact("avgpool dx", dae, daa);
  }
}

// ---- Bilinear twin
struct Ax { std::vector<int> i0, i1; std::vector<float> l; };
static Ax axis(int in, int out) { Ax a; float scale = (float)in / out;
  for (int d = 0; d < out; d++) { float src = std::max(scale * (d + 0.5f) - 0.5f, 0.f);
    int i0 = std::min((int)src, in - 1); a.i0.push_back(i0); a.i1.push_back(std::min(i0 + 1, in - 1));
    a.l.push_back(std::min(src - i0, 1.f)); } return a; }
static void testBilinear() {
  int cases[][4] = {{7, 7, 224, 224}, {224, 224, 7, 7}, {5, 9, 13, 4}, {1, 1, 5, 3}, {6, 3, 1, 1}, {10, 10, 10, 10},
                    {3, 17, 7, 51}, {32, 31, 33, 30}, {2, 2, 1000, 3}};
  for (auto& g : cases) {
    int NC = 2, inH = g[0], inW = g[1], outH = g[2], outW = g[3];
    size_t in = (size_t)NC * inH * inW, out = (size_t)NC * outH * outW;
    auto x = rnd(in); Ax rows = axis(inH, outH), cols = axis(inW, outW);
    std::vector<float> ye(out), ya(out);
    for (int pl = 0; pl < NC; pl++) { int xo = pl * inH * inW, yo = pl * outH * outW;
      for (int oh = 0; oh < outH; oh++) { int top = xo + rows.i0[oh] * inW, bot = xo + rows.i1[oh] * inW;
        float lh = rows.l[oh], lh0 = 1 - lh;
        for (int ow = 0; ow < outW; ow++) { int c0 = cols.i0[ow], c1 = cols.i1[ow]; float lw = cols.l[ow], lw0 = 1 - lw;
          ye[yo + oh * outW + ow] = lh0 * (lw0 * x[top + c0] + lw * x[top + c1]) + lh * (lw0 * x[bot + c0] + lw * x[bot + c1]); } } }
    float sH = bl_scale(inH, outH), sW = bl_scale(inW, outW);
    for (size_t e = 0; e < out; e++) ya[e] = bilinear_at(x.data(), e, inH, inW, outH, outW, sH, sW);
    checkExact("bilinear y", ye, ya);
    auto dy = rnd(out); std::vector<float> de(in, 0), da(in);
    for (int pl = 0; pl < NC; pl++) { int xo = pl * inH * inW, yo = pl * outH * outW;
      for (int oh = 0; oh < outH; oh++) { int top = xo + rows.i0[oh] * inW, bot = xo + rows.i1[oh] * inW;
        float lh = rows.l[oh], lh0 = 1 - lh;
        for (int ow = 0; ow < outW; ow++) { int c0 = cols.i0[ow], c1 = cols.i1[ow]; float lw = cols.l[ow], lw0 = 1 - lw;
          float gg = dy[yo + oh * outW + ow];
          de[top + c0] += lh0 * lw0 * gg; de[top + c1] += lh0 * lw * gg; de[bot + c0] += lh * lw0 * gg; de[bot + c1] += lh * lw * gg; } } }
    for (size_t e = 0; e < in; e++) da[e] = bilinear_backward_at(dy.data(), e, inH, inW, outH, outW, sH, sW);
    checkExact("bilinear dx", de, da);
  }
}

// ---- Gemm twin (gemmNaive) and an emulation of sgemm_tiled's blocks
static void testGemm() {
  int cases[][3] = {{1, 1, 1}, {5, 7, 3}, {64, 64, 16}, {65, 63, 17}, {130, 70, 33}, {3, 200, 100}, {100, 2, 0}, {17, 129, 64}};
  float ab[][2] = {{1, 0}, {0.5f, 2}, {0, 1}, {-1.5f, 0}};
  for (auto& s : cases) for (int tA = 0; tA < 2; tA++) for (int tB = 0; tB < 2; tB++) for (auto& al : ab) {
    int m = s[0], n = s[1], k = s[2]; float alpha = al[0], beta = al[1];
    int lda = (tA ? m : k) + 3, ldb = (tB ? k : n) + 2, ldc = n + 1;
    auto A = rnd((size_t)(tA ? k : m) * lda + 1), B = rnd((size_t)(tB ? n : k) * ldb + 1), C0 = rnd((size_t)m * ldc);
    if (beta == 0) for (auto& v : C0) v = NAN;                 // beta == 0 must not read C
    if (alpha == 0 && !A.empty()) A[0] = NAN;                  // alpha == 0 must not read A
    std::vector<float> Ce = C0, Cv1 = C0, Cv2 = C0;
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double sum = 0;
      for (int p = 0; alpha != 0 && p < k; p++) { float av = tA ? A[p * lda + i] : A[i * lda + p];
        float bv = tB ? B[j * ldb + p] : B[p * ldb + j]; sum += (double)av * bv; }
      int ci = i * ldc + j; double prior = beta == 0 ? 0 : (double)beta * Ce[ci]; Ce[ci] = (float)(alpha * sum + prior); }
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { long long ci = (long long)i * ldc + j;
      Cv1[ci] = gemm_naive_element(tA, tB, i, j, k, alpha, A.data(), lda, B.data(), ldb, beta, Cv1.data(), ci); }
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) if (!same(Ce[i * ldc + j], Cv1[i * ldc + j])) {
      printf("FAIL v1 %d %d %d tA%d tB%d at %d,%d: %g vs %g\n", m, n, k, tA, tB, i, j, Ce[i * ldc + j], Cv1[i * ldc + j]); failures++; goto v2; }
    v2: {
    static float As[GEMM_DEPTH][GEMM_PAD], Bs[GEMM_DEPTH][GEMM_PAD];
    static float acc[GEMM_THREADS][4][4];
    int slices = alpha == 0.0f ? 0 : (k + GEMM_DEPTH - 1) / GEMM_DEPTH;
    for (int row0 = 0; row0 < m; row0 += GEMM_TILE) for (int col0 = 0; col0 < n; col0 += GEMM_TILE) {
      memset(acc, 0, sizeof acc);
      for (int t = 0; t < slices; t++) {
        for (float (&r)[GEMM_PAD] : As) for (float& v : r) v = NAN;   // unwritten slots would show
        for (float (&r)[GEMM_PAD] : Bs) for (float& v : r) v = NAN;
        for (int tid = 0; tid < GEMM_THREADS; tid++) { gemm_load_a(As, A.data(), tA, lda, m, k, row0, t * GEMM_DEPTH, tid);
          gemm_load_b(Bs, B.data(), tB, ldb, n, k, col0, t * GEMM_DEPTH, tid); }
        for (int tid = 0; tid < GEMM_THREADS; tid++) gemm_multiply(As, Bs, tid % 16, tid / 16, acc[tid]);
      }
      for (int tid = 0; tid < GEMM_THREADS; tid++) gemm_store(Cv2.data(), ldc, m, n, row0, col0, tid % 16, tid / 16, alpha, beta, acc[tid]);
    }
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { float e = Ce[i * ldc + j], a = Cv2[i * ldc + j];
      if (!(fabsf(e - a) <= 1e-5f * sqrtf((float)k + 1) + 1e-4f * fabsf(e))) {
        printf("FAIL v2 %d %d %d tA%d tB%d a%g b%g at %d,%d: %g vs %g\n", m, n, k, tA, tB, alpha, beta, i, j, e, a); failures++; goto done; } }
    for (size_t q = 0; q < Cv2.size(); q++) if (q % ldc >= (size_t)n && !same(Cv2[q], C0[q])) { printf("FAIL v2 wrote padding\n"); failures++; break; }
    }
    done:;
  }
}

// ---- batch norm index helpers and formulas (the block reductions need a GPU)
static void testBatchNorm() {
  int N = 3, C = 4, HW = 5; auto x = rnd((size_t)N * C * HW);
  for (int ch = 0; ch < C; ch++) { long long j = 0;
    for (int i = 0; i < N; i++) for (int p = 0; p < HW; p++, j++) {
      if (bn_offset(j, C, HW, ch) != (long long)i * C * HW + ch * HW + p) { printf("FAIL bn_offset\n"); failures++; return; }
      if (bn_channel(bn_offset(j, C, HW, ch), C, HW) != ch) { printf("FAIL bn_channel\n"); failures++; return; } } }
}

int main() {
  testIm2col(); testPool(); testBilinear(); testGemm(); testBatchNorm();
  printf(failures ? "%d FAILURES\n" : "all host checks passed\n", failures);
  return failures != 0;
}
