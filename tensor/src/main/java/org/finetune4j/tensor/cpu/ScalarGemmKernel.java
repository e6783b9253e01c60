package org.finetune4j.tensor.cpu;

import java.util.Arrays;

/**
 * Scalar twin of SimdGemmKernel, used when the Vector API is absent or disabled: the same tiles
 * and packed layouts, but panels are wider (GemmBlocking.L is 64 here, so up to 128 columns) and
 * the column loop runs only over the `cols` valid columns: C2's superword pass vectorises such a
 * long, unit-stride multiply-add loop; it does not vectorise Math.fma, nor pay off on 32 floats.
 * Accumulates in float, in increasing p (plain multiply then add, so not bit-identical to the
 * FMA-based vector path).
 */
final class ScalarGemmKernel {
    private ScalarGemmKernel() {}

    /**
     * Tile mr × cols of a panel w wide, A packed: a(i, p) = a[aBase + mr·p + i],
     * b(p, j) = bp[bBase + w·p + j]; acc: scratch of at least mr·w floats.
     */
    static void panel(int mr, int w, int cols, int kc, float[] a, int aBase, float[] bp, int bBase,
            float[] c, int cBase, int ldc, boolean accumulate, float[] acc) {
        Arrays.fill(acc, 0, mr * w, 0f);
        for (int p = 0; p < kc; p++) {
            int ai = aBase + p * mr;
            int bi = bBase + p * w;
            for (int i = 0; i < mr; i++) {
                float x = a[ai + i];
                int to = i * w;
                for (int j = 0; j < cols; j++) acc[to + j] += x * bp[bi + j];
            }
        }
        store(mr, w, cols, acc, c, cBase, ldc, accumulate);
    }

    /** Tile mr × cols with A read in place, a(i, p) = a[aBase + i·lda + p]; else as panel. */
    static void rows(int mr, int w, int cols, int kc, float[] a, int aBase, int lda, float[] bp,
            int bBase, float[] c, int cBase, int ldc, boolean accumulate, float[] acc) {
        Arrays.fill(acc, 0, mr * w, 0f);
        for (int i = 0; i < mr; i++) {
            int ai = aBase + i * lda;
            int to = i * w;
            for (int p = 0; p < kc; p++) {
                float x = a[ai + p];
                int bi = bBase + p * w;
                for (int j = 0; j < cols; j++) acc[to + j] += x * bp[bi + j];
            }
        }
        store(mr, w, cols, acc, c, cBase, ldc, accumulate);
    }

    /** C tile += acc when accumulating, else C tile = acc (old C, NaN or not, never read). */
    private static void store(int mr, int w, int cols, float[] acc, float[] c, int cBase, int ldc,
            boolean accumulate) {
        for (int i = 0; i < mr; i++) {
            int ci = cBase + i * ldc;
            if (accumulate) {
                for (int j = 0; j < cols; j++) c[ci + j] += acc[i * w + j];
            } else {
                System.arraycopy(acc, i * w, c, ci, cols);
            }
        }
    }
}
