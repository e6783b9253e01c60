package org.finetune4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernels of CpuGemm: each computes one register tile of C,
 *   c[cBase + i·ldc + j] = Σ_p a(i, p)·b(p, j)     (stored, never added: see GemmBlocking)
 * in float, by one fused multiply-add per (i, j, p) in increasing p. B arrives packed as a panel
 * w = 2L or L columns wide (GemmPacking.packB): b(p, j) = bp[bBase + p·w + j].
 *   panel12x*: 12 rows, a(i, p) = a[aBase + p·sP + i]   (packed: sP = 12; transA: sP = lda)
 *   rows6x*:    6 rows, a(i, p) = a[aBase + i·lda + p]  (A row-major, read in place)
 * Shapes measured on one Zen 5 core, data in L1: 12×2L ≈ 170 GFLOP/s (best of 16×1 .. 6×4; its
 * 24 accumulators fill 24 of the 32 zmm registers), 6×2L ≈ 145 (six row offsets are what C2
 * keeps in registers without spilling), 6×L ≈ 130 with k split into even/odd accumulators to
 * hide the FMA latency (their final add is the only change in summation order). Loaded only
 * when Simd.ENABLED, since it links jdk.incubator.vector; the scalar twin is ScalarGemmKernel.
 */
final class SimdGemmKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private SimdGemmKernel() {}

    static int vectorBits() {
        return S.vectorBitSize();
    }

    /** Tile 12 × 2L. */
    static void panel12x2(int kc, float[] a, int aBase, int sP, float[] bp, int bBase,
            float[] c, int cBase, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0a = z, c0b = z, c1a = z, c1b = z, c2a = z, c2b = z, c3a = z, c3b = z,
                c4a = z, c4b = z, c5a = z, c5b = z, c6a = z, c6b = z, c7a = z, c7b = z, c8a = z,
                c8b = z, c9a = z, c9b = z, c10a = z, c10b = z, c11a = z, c11b = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * sP;                      // a(i, p) = a[ai + i]
            int bi = bBase + p * 2 * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]);
            c0a = x.fma(b0, c0a); c0b = x.fma(b1, c0b);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c1a = x.fma(b0, c1a); c1b = x.fma(b1, c1b);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c2a = x.fma(b0, c2a); c2b = x.fma(b1, c2b);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c3a = x.fma(b0, c3a); c3b = x.fma(b1, c3b);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c4a = x.fma(b0, c4a); c4b = x.fma(b1, c4b);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c5a = x.fma(b0, c5a); c5b = x.fma(b1, c5b);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c6a = x.fma(b0, c6a); c6b = x.fma(b1, c6b);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c7a = x.fma(b0, c7a); c7b = x.fma(b1, c7b);
            x = FloatVector.broadcast(S, a[ai + 8]);
            c8a = x.fma(b0, c8a); c8b = x.fma(b1, c8b);
            x = FloatVector.broadcast(S, a[ai + 9]);
            c9a = x.fma(b0, c9a); c9b = x.fma(b1, c9b);
            x = FloatVector.broadcast(S, a[ai + 10]);
            c10a = x.fma(b0, c10a); c10b = x.fma(b1, c10b);
            x = FloatVector.broadcast(S, a[ai + 11]);
            c11a = x.fma(b0, c11a); c11b = x.fma(b1, c11b);
        }
        int r = cBase;                                    // start of C row i
        c0a.intoArray(c, r); c0b.intoArray(c, r + L); r += ldc;
        c1a.intoArray(c, r); c1b.intoArray(c, r + L); r += ldc;
        c2a.intoArray(c, r); c2b.intoArray(c, r + L); r += ldc;
        c3a.intoArray(c, r); c3b.intoArray(c, r + L); r += ldc;
        c4a.intoArray(c, r); c4b.intoArray(c, r + L); r += ldc;
        c5a.intoArray(c, r); c5b.intoArray(c, r + L); r += ldc;
        c6a.intoArray(c, r); c6b.intoArray(c, r + L); r += ldc;
        c7a.intoArray(c, r); c7b.intoArray(c, r + L); r += ldc;
        c8a.intoArray(c, r); c8b.intoArray(c, r + L); r += ldc;
        c9a.intoArray(c, r); c9b.intoArray(c, r + L); r += ldc;
        c10a.intoArray(c, r); c10b.intoArray(c, r + L); r += ldc;
        c11a.intoArray(c, r); c11b.intoArray(c, r + L);
    }

    /** Tile 12 × L: the last, narrow panel of B (n mod 2L ≤ L). */
    static void panel12x1(int kc, float[] a, int aBase, int sP, float[] bp, int bBase,
            float[] c, int cBase, int ldc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0a = z, c1a = z, c2a = z, c3a = z, c4a = z, c5a = z, c6a = z, c7a = z,
                c8a = z, c9a = z, c10a = z, c11a = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * sP;                      // a(i, p) = a[ai + i]
            int bi = bBase + p * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0a = FloatVector.broadcast(S, a[ai]).fma(b0, c0a);
            c1a = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1a);
            c2a = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2a);
            c3a = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3a);
            c4a = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4a);
            c5a = FloatVector.broadcast(S, a[ai + 5]).fma(b0, c5a);
            c6a = FloatVector.broadcast(S, a[ai + 6]).fma(b0, c6a);
            c7a = FloatVector.broadcast(S, a[ai + 7]).fma(b0, c7a);
            c8a = FloatVector.broadcast(S, a[ai + 8]).fma(b0, c8a);
            c9a = FloatVector.broadcast(S, a[ai + 9]).fma(b0, c9a);
            c10a = FloatVector.broadcast(S, a[ai + 10]).fma(b0, c10a);
            c11a = FloatVector.broadcast(S, a[ai + 11]).fma(b0, c11a);
        }
        int r = cBase;                                    // start of C row i
        c0a.intoArray(c, r); r += ldc;
        c1a.intoArray(c, r); r += ldc;
        c2a.intoArray(c, r); r += ldc;
        c3a.intoArray(c, r); r += ldc;
        c4a.intoArray(c, r); r += ldc;
        c5a.intoArray(c, r); r += ldc;
        c6a.intoArray(c, r); r += ldc;
        c7a.intoArray(c, r); r += ldc;
        c8a.intoArray(c, r); r += ldc;
        c9a.intoArray(c, r); r += ldc;
        c10a.intoArray(c, r); r += ldc;
        c11a.intoArray(c, r);
    }

    /** Tile 6 × 2L. */
    static void rows6x2(int kc, float[] a, int aBase, int lda, float[] bp, int bBase,
            float[] c, int cBase, int ldc) {
        int a0 = aBase;
        int a1 = aBase + lda;
        int a2 = aBase + 2 * lda;
        int a3 = aBase + 3 * lda;
        int a4 = aBase + 4 * lda;
        int a5 = aBase + 5 * lda;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0a = z, c0b = z, c1a = z, c1b = z, c2a = z, c2b = z, c3a = z, c3b = z,
                c4a = z, c4b = z, c5a = z, c5b = z;
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * 2 * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]);
            c0a = x.fma(b0, c0a); c0b = x.fma(b1, c0b);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c1a = x.fma(b0, c1a); c1b = x.fma(b1, c1b);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c2a = x.fma(b0, c2a); c2b = x.fma(b1, c2b);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c3a = x.fma(b0, c3a); c3b = x.fma(b1, c3b);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c4a = x.fma(b0, c4a); c4b = x.fma(b1, c4b);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c5a = x.fma(b0, c5a); c5b = x.fma(b1, c5b);
        }
        int r = cBase;                                    // start of C row i
        c0a.intoArray(c, r); c0b.intoArray(c, r + L); r += ldc;
        c1a.intoArray(c, r); c1b.intoArray(c, r + L); r += ldc;
        c2a.intoArray(c, r); c2b.intoArray(c, r + L); r += ldc;
        c3a.intoArray(c, r); c3b.intoArray(c, r + L); r += ldc;
        c4a.intoArray(c, r); c4b.intoArray(c, r + L); r += ldc;
        c5a.intoArray(c, r); c5b.intoArray(c, r + L);
    }

    /** Tile 6 × L, k split into even and odd p. */
    static void rows6x1(int kc, float[] a, int aBase, int lda, float[] bp, int bBase,
            float[] c, int cBase, int ldc) {
        int a0 = aBase;
        int a1 = aBase + lda;
        int a2 = aBase + 2 * lda;
        int a3 = aBase + 3 * lda;
        int a4 = aBase + 4 * lda;
        int a5 = aBase + 5 * lda;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0e = z, c0o = z, c1e = z, c1o = z, c2e = z, c2o = z, c3e = z, c3o = z,
                c4e = z, c4o = z, c5e = z, c5o = z;
        int even = kc & ~1;
        for (int p = 0; p < even; p += 2) {         // even p into c·e, odd p into c·o
            FloatVector be = FloatVector.fromArray(S, bp, bBase + p * L);
            FloatVector bo = FloatVector.fromArray(S, bp, bBase + (p + 1) * L);
            c0e = FloatVector.broadcast(S, a[a0 + p]).fma(be, c0e);
            c0o = FloatVector.broadcast(S, a[a0 + p + 1]).fma(bo, c0o);
            c1e = FloatVector.broadcast(S, a[a1 + p]).fma(be, c1e);
            c1o = FloatVector.broadcast(S, a[a1 + p + 1]).fma(bo, c1o);
            c2e = FloatVector.broadcast(S, a[a2 + p]).fma(be, c2e);
            c2o = FloatVector.broadcast(S, a[a2 + p + 1]).fma(bo, c2o);
            c3e = FloatVector.broadcast(S, a[a3 + p]).fma(be, c3e);
            c3o = FloatVector.broadcast(S, a[a3 + p + 1]).fma(bo, c3o);
            c4e = FloatVector.broadcast(S, a[a4 + p]).fma(be, c4e);
            c4o = FloatVector.broadcast(S, a[a4 + p + 1]).fma(bo, c4o);
            c5e = FloatVector.broadcast(S, a[a5 + p]).fma(be, c5e);
            c5o = FloatVector.broadcast(S, a[a5 + p + 1]).fma(bo, c5o);
        }
        if (even < kc) {
            int p = even;
            FloatVector be = FloatVector.fromArray(S, bp, bBase + p * L);
            c0e = FloatVector.broadcast(S, a[a0 + p]).fma(be, c0e);
            c1e = FloatVector.broadcast(S, a[a1 + p]).fma(be, c1e);
            c2e = FloatVector.broadcast(S, a[a2 + p]).fma(be, c2e);
            c3e = FloatVector.broadcast(S, a[a3 + p]).fma(be, c3e);
            c4e = FloatVector.broadcast(S, a[a4 + p]).fma(be, c4e);
            c5e = FloatVector.broadcast(S, a[a5 + p]).fma(be, c5e);
        }
        c0e = c0e.add(c0o);
        c1e = c1e.add(c1o);
        c2e = c2e.add(c2o);
        c3e = c3e.add(c3o);
        c4e = c4e.add(c4o);
        c5e = c5e.add(c5o);
        int r = cBase;                                    // start of C row i
        c0e.intoArray(c, r); r += ldc;
        c1e.intoArray(c, r); r += ldc;
        c2e.intoArray(c, r); r += ldc;
        c3e.intoArray(c, r); r += ldc;
        c4e.intoArray(c, r); r += ldc;
        c5e.intoArray(c, r);
    }

    /** c[at + i·ldc + j] += tile[i·w + j] for i < rows, j < w (w a multiple of L). */
    static void accumulate(float[] tile, int w, int rows, float[] c, int at, int ldc) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < w; j += L) {
                int ci = at + i * ldc + j;
                FloatVector sum = FloatVector.fromArray(S, tile, i * w + j);
                sum.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            }
        }
    }
}
