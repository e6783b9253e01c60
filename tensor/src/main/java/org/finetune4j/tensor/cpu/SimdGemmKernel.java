package org.finetune4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernels of CpuGemm: one register tile of C, C_tile = alpha·Σ_p a(·,p)·b(p,·)
 * + beta·C_tile, accumulated in float with one fused multiply-add per (i, j, p) in increasing p.
 * Only loaded when Simd.ENABLED (this class links jdk.incubator.vector); its scalar twin, with the
 * same tiles and packed layouts, is ScalarGemmKernel. Lanes L = the preferred species (16 on
 * AVX-512). B arrives packed as panels: bp[bBase + p·w + j], w = 2L or L columns (GemmPacking).
 *   panel12x*: A packed by GemmPacking.packA, a(i, p) = a[aBase + 12·p + i]     (12 rows)
 *   rows6x*:   A read in place, row-major,      a(i, p) = a[aBase + i·lda + p]   (6 rows)
 * Tile sizes: 12×2L keeps 24 of the 32 zmm registers as accumulators (measured best of
 * 16×1..6×4, ~170 GFLOP/s on one Zen 5 core in L1); the rows kernels keep six index registers,
 * the most that C2 holds without spilling, and rows6x1 splits k into even/odd accumulators to
 * hide the FMA latency (the final add is the only change to the summation order).
 */
final class SimdGemmKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private SimdGemmKernel() {}

    static int vectorBits() {
        return S.vectorBitSize();
    }

    static void panel12x2(int kc, float[] a, int aBase, float[] bp, int bBase,
            float[] c, int cBase, int ldc, boolean accumulate) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0a = z, c0b = z, c1a = z, c1b = z, c2a = z, c2b = z, c3a = z, c3b = z,
                c4a = z, c4b = z, c5a = z, c5b = z, c6a = z, c6b = z, c7a = z, c7b = z, c8a = z,
                c8b = z, c9a = z, c9b = z, c10a = z, c10b = z, c11a = z, c11b = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * 12;                      // a(i, p) = a[ai + i]
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
        if (accumulate) {                                 // C += tile, else C = tile
            int r = cBase;
            c0a = c0a.add(FloatVector.fromArray(S, c, r));
            c0b = c0b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c1a = c1a.add(FloatVector.fromArray(S, c, r));
            c1b = c1b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c2a = c2a.add(FloatVector.fromArray(S, c, r));
            c2b = c2b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c3a = c3a.add(FloatVector.fromArray(S, c, r));
            c3b = c3b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c4a = c4a.add(FloatVector.fromArray(S, c, r));
            c4b = c4b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c5a = c5a.add(FloatVector.fromArray(S, c, r));
            c5b = c5b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c6a = c6a.add(FloatVector.fromArray(S, c, r));
            c6b = c6b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c7a = c7a.add(FloatVector.fromArray(S, c, r));
            c7b = c7b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c8a = c8a.add(FloatVector.fromArray(S, c, r));
            c8b = c8b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c9a = c9a.add(FloatVector.fromArray(S, c, r));
            c9b = c9b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c10a = c10a.add(FloatVector.fromArray(S, c, r));
            c10b = c10b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c11a = c11a.add(FloatVector.fromArray(S, c, r));
            c11b = c11b.add(FloatVector.fromArray(S, c, r + L));
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

    static void panel12x1(int kc, float[] a, int aBase, float[] bp, int bBase,
            float[] c, int cBase, int ldc, boolean accumulate) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0a = z, c1a = z, c2a = z, c3a = z, c4a = z, c5a = z, c6a = z, c7a = z,
                c8a = z, c9a = z, c10a = z, c11a = z;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * 12;                      // a(i, p) = a[ai + i]
            int bi = bBase + p * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]);
            c0a = x.fma(b0, c0a);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c1a = x.fma(b0, c1a);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c2a = x.fma(b0, c2a);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c3a = x.fma(b0, c3a);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c4a = x.fma(b0, c4a);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c5a = x.fma(b0, c5a);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c6a = x.fma(b0, c6a);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c7a = x.fma(b0, c7a);
            x = FloatVector.broadcast(S, a[ai + 8]);
            c8a = x.fma(b0, c8a);
            x = FloatVector.broadcast(S, a[ai + 9]);
            c9a = x.fma(b0, c9a);
            x = FloatVector.broadcast(S, a[ai + 10]);
            c10a = x.fma(b0, c10a);
            x = FloatVector.broadcast(S, a[ai + 11]);
            c11a = x.fma(b0, c11a);
        }
        if (accumulate) {                                 // C += tile, else C = tile
            int r = cBase;
            c0a = c0a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c1a = c1a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c2a = c2a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c3a = c3a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c4a = c4a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c5a = c5a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c6a = c6a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c7a = c7a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c8a = c8a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c9a = c9a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c10a = c10a.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c11a = c11a.add(FloatVector.fromArray(S, c, r));
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

    static void rows6x2(int kc, float[] a, int aBase, int lda, float[] bp, int bBase,
            float[] c, int cBase, int ldc, boolean accumulate) {
        int a0 = aBase;
        int a1 = aBase + 1 * lda;
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
        if (accumulate) {                                 // C += tile, else C = tile
            int r = cBase;
            c0a = c0a.add(FloatVector.fromArray(S, c, r));
            c0b = c0b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c1a = c1a.add(FloatVector.fromArray(S, c, r));
            c1b = c1b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c2a = c2a.add(FloatVector.fromArray(S, c, r));
            c2b = c2b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c3a = c3a.add(FloatVector.fromArray(S, c, r));
            c3b = c3b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c4a = c4a.add(FloatVector.fromArray(S, c, r));
            c4b = c4b.add(FloatVector.fromArray(S, c, r + L)); r += ldc;
            c5a = c5a.add(FloatVector.fromArray(S, c, r));
            c5b = c5b.add(FloatVector.fromArray(S, c, r + L));
        }
        int r = cBase;                                    // start of C row i
        c0a.intoArray(c, r); c0b.intoArray(c, r + L); r += ldc;
        c1a.intoArray(c, r); c1b.intoArray(c, r + L); r += ldc;
        c2a.intoArray(c, r); c2b.intoArray(c, r + L); r += ldc;
        c3a.intoArray(c, r); c3b.intoArray(c, r + L); r += ldc;
        c4a.intoArray(c, r); c4b.intoArray(c, r + L); r += ldc;
        c5a.intoArray(c, r); c5b.intoArray(c, r + L);
    }

    static void rows6x1(int kc, float[] a, int aBase, int lda, float[] bp, int bBase,
            float[] c, int cBase, int ldc, boolean accumulate) {
        int a0 = aBase;
        int a1 = aBase + 1 * lda;
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
        if (accumulate) {                                 // C += tile, else C = tile
            int r = cBase;
            c0e = c0e.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c1e = c1e.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c2e = c2e.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c3e = c3e.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c4e = c4e.add(FloatVector.fromArray(S, c, r)); r += ldc;
            c5e = c5e.add(FloatVector.fromArray(S, c, r));
        }
        int r = cBase;                                    // start of C row i
        c0e.intoArray(c, r); r += ldc;
        c1e.intoArray(c, r); r += ldc;
        c2e.intoArray(c, r); r += ldc;
        c3e.intoArray(c, r); r += ldc;
        c4e.intoArray(c, r); r += ldc;
        c5e.intoArray(c, r);
    }
}
