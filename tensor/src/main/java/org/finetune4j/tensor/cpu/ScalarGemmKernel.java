package org.finetune4j.tensor.cpu;

import java.util.Arrays;

/**
 * Scalar twin of SimdGemmKernel, used when the Vector API is absent or disabled. Same packed
 * layouts, but wide panels (GemmBlocking.L is 256 here, so up to 512 columns), and the work is
 * shaped for C2's superword pass: the innermost loop is y[j] += x·b[j] over a long row, with
 * both arrays indexed from 0. (JDK 17 leaves the loop scalar when the two arrays carry
 * different offsets, and it never vectorises Math.fma.) So each B row is copied once into bRow
 * and the tile is accumulated in the rows of acc before it is added to C.
 * Accumulates in float in increasing p (not bit-identical to the FMA-based vector path).
 */
final class ScalarGemmKernel {
    private ScalarGemmKernel() {}

    /**
     * C[0 .. rows, 0 .. cols) (+)= Σ_p a(i, p)·b(p, j) with a(i, p) = a[aBase + sP·p + i] (A
     * packed, or transposed and read in place) and b(p, j) = bp[bBase + w·p + j]. Overwrites
     * unless accumulate. acc: at least rows rows of cols floats.
     */
    static void panel(int sP, int rows, int w, int cols, int kc, float[] a, int aBase,
            float[] bp, int bBase, float[] c, int cBase, int ldc, boolean accumulate,
            float[][] acc, float[] bRow) {
        for (int i = 0; i < rows; i++) Arrays.fill(acc[i], 0, cols, 0f);
        for (int p = 0; p < kc; p++) {
            System.arraycopy(bp, bBase + p * w, bRow, 0, cols);
            for (int i = 0; i < rows; i++) axpy(a[aBase + p * sP + i], bRow, acc[i], cols);
        }
        store(rows, cols, acc, c, cBase, ldc, accumulate);
    }

    /** As panel, with A read in place: a(i, p) = a[aBase + i·lda + p]. */
    static void rows(int rows, int w, int cols, int kc, float[] a, int aBase, int lda, float[] bp,
            int bBase, float[] c, int cBase, int ldc, boolean accumulate,
            float[][] acc, float[] bRow) {
        for (int i = 0; i < rows; i++) Arrays.fill(acc[i], 0, cols, 0f);
        for (int p = 0; p < kc; p++) {
            System.arraycopy(bp, bBase + p * w, bRow, 0, cols);
            for (int i = 0; i < rows; i++) axpy(a[aBase + i * lda + p], bRow, acc[i], cols);
        }
        store(rows, cols, acc, c, cBase, ldc, accumulate);
    }

    /** y[0 .. n) += x·b[0 .. n): the loop C2 vectorises. */
    private static void axpy(float x, float[] b, float[] y, int n) {
        for (int j = 0; j < n; j++) y[j] += x * b[j];
    }

    /** C tile += acc when accumulating, else C tile = acc (old C, NaN or not, never read). */
    private static void store(int rows, int cols, float[][] acc, float[] c, int cBase, int ldc,
            boolean accumulate) {
        for (int i = 0; i < rows; i++) {
            int ci = cBase + i * ldc;
            if (accumulate) {
                for (int j = 0; j < cols; j++) c[ci + j] += acc[i][j];
            } else {
                System.arraycopy(acc[i], 0, c, ci, cols);
            }
        }
    }
}
