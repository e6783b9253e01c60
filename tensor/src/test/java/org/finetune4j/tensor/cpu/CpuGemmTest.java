package org.finetune4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CpuGemm's fast path against gemmNaive (double accumulation) on shapes that hit every edge of the
 * blocking: 1, primes, the register tiles (12 and 6 rows, 16- and 32-column panels), KC = 256,
 * MC = 144, NC = 1024, the in-place/packed switch at n = 64, the blocks of GemmTransposed (short
 * wide C on the vector path, tall narrow C on the scalar one); all four transposes; offsets and
 * padded leading dimensions (padding of A and B holds NaN, padding of C a sentinel that must
 * survive). Run once with and once without --add-modules jdk.incubator.vector (JT_JVM=" ").
 * Tolerance per element: |fast − ref| ≤ (k + 2)·2⁻²³·(|α|·Σ_p |a_ip·b_pj| + |β·c_ij|), twice
 * the classical bound for a float sum of k products plus the alpha/beta update (Higham, Thm.
 * 3.5), so it scales with the terms actually summed, while a wrong or missing term (about one
 * |a·b| ~ 0.25) shows at once.
 */
class CpuGemmTest {
    private static final double UNIT = Math.scalb(1.0, -23);
    private static final float C_SENTINEL = 777f;

    @Test
    void choosesTheVectorPathExactlyWhenTheModuleIsPresent() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean wanted = module && !"false".equals(System.getProperty("finetune4j.simd"));
        assertEquals(wanted, Simd.ENABLED, "Simd.ENABLED with module present = " + module);
        assertEquals(wanted, Simd.describe().startsWith("Vector API"), Simd.describe());
        System.out.println("CpuGemmTest runs the " + Simd.describe() + " path");
    }

    @Test
    void matchesNaiveLoopOnOddShapes() {
        long seed = 1;
        for (int m : new int[] {1, 5, 6, 7, 12, 13, 25}) {
            for (int n : new int[] {1, 15, 16, 17, 32, 33, 48, 64, 65, 97}) {
                for (int k : new int[] {1, 2, 7, 31}) {
                    for (int t = 0; t < 4; t++) {
                        check(m, n, k, (t & 1) != 0, (t & 2) != 0, 1f, 0f, 0, seed++);
                    }
                }
            }
        }
    }

    @Test
    void matchesNaiveLoopAcrossCacheBlockEdges() {
        int[][] shapes = {                                   // m, n, k
            {145, 40, 257}, {150, 16, 600}, {300, 70, 513},  // MC, KC edges; in place and packed
            {13, 1100, 20}, {37, 1030, 3}, {3, 4200, 7},     // NC edge; GemmTransposed blocks
            {149, 129, 130}, {1, 700, 259}, {700, 1, 259},
        };
        long seed = 100;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                check(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, 1f, 0f, 3, seed++);
            }
        }
    }

    @Test
    void matchesNaiveLoopOnIm2colShapes() {
        int[][] shapes = {{2000, 16, 144}, {1000, 32, 288}, {500, 64, 576}, {144, 16, 2000},
                          {2000, 144, 16}};
        long seed = 200;
        for (int[] s : shapes) {
            check(s[0], s[1], s[2], false, false, 1f, 0f, 0, seed++);
            check(s[0], s[1], s[2], true, false, 1f, 0f, 0, seed++);
            check(s[0], s[1], s[2], false, true, 1f, 0f, 0, seed++);
        }
    }

    @Test
    void appliesAlphaAndBetaIncludingOverwriteOfNanAndAccumulation() {
        long seed = 300;
        for (int[] s : new int[][] {{29, 50, 40}, {29, 80, 300}, {7, 3, 5}}) {
            for (float alpha : new float[] {1f, -0.5f, 2f}) {
                for (float beta : new float[] {0f, 1f, 0.25f}) {
                    for (int t = 0; t < 4; t++) {
                        check(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, alpha, beta, 2, seed++);
                    }
                }
            }
        }
    }

    @Test
    void respectsOffsetsAndLeadingDimensionsAndLeavesPaddingUntouched() {
        long seed = 400;
        for (int pad : new int[] {1, 5, 17}) {
            for (int t = 0; t < 4; t++) {
                check(31, 45, 19, (t & 1) != 0, (t & 2) != 0, 1.5f, 0.5f, pad, seed++);
                check(61, 16, 23, (t & 1) != 0, (t & 2) != 0, 1f, 1f, pad, seed++);
            }
        }
    }

    @Test
    void alphaZeroAndEmptyDepthOnlyScaleC() {
        float[] nan = new float[6 * 4];
        Arrays.fill(nan, Float.NaN);
        float[] c = {1, 2, 3, 4, 5, 6};                      // (2, 3)
        CpuGemm.gemm(false, false, 2, 3, 4, 0f, nan, 0, 4, nan, 0, 3, 0.5f, c, 0, 3);
        assertArrayEqualsExactly("alpha = 0", new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, c);
        CpuGemm.gemm(false, false, 2, 3, 0, 1f, nan, 0, 1, nan, 0, 3, 0f, c, 0, 3);
        assertArrayEqualsExactly("k = 0, beta = 0", new float[6], c);
    }

    @Test
    void batchedMatchesOneNaiveGemmPerMatrix() {
        int m = 19, n = 37, k = 23;
        for (int batch : new int[] {1, 2, 5}) {
            for (int t = 0; t < 4; t++) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                int lda = (tA ? m : k) + 2, ldb = (tB ? k : n) + 1, ldc = n + 3;
                long sA = (long) (tA ? k : m) * lda + 5, sB = (long) (tB ? n : k) * ldb;
                long sC = (long) m * ldc + 7;
                float[] a = random(batch * (int) sA + 4, 500 + t);
                float[] b = random(batch * (int) sB + 4, 600 + t);
                float[] c = random(batch * (int) sC + 4, 700 + t);
                float[] expected = c.clone();
                for (int i = 0; i < batch; i++) {
                    CpuGemm.gemmNaive(tA, tB, m, n, k, 0.5f, a, 4 + (int) (i * sA), lda,
                            b, 4 + (int) (i * sB), ldb, 2f, expected, 4 + (int) (i * sC), ldc);
                }
                CpuGemm.gemmBatched(tA, tB, m, n, k, 0.5f, a, 4, lda, sA, b, 4, ldb, sB,
                        2f, c, 4, ldc, sC, batch);
                double tol = (k + 2) * UNIT * 8 * (k + 1);    // |a|,|b|,|c| < 1: Σ|terms| < 2k+2
                assertWithin("batched C (batch " + batch + ", t " + t + ")", expected, c, tol);
            }
        }
    }

    @Test
    void repeatedAndSingleThreadedCallsAreBitIdentical() {
        int[][] shapes = {{517, 80, 300}, {2000, 16, 144}, {300, 500, 64}, {16, 600, 300}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = random(m * k, 1), b = random(k * n, 2);
            float[] first = new float[m * n], second = new float[m * n], single = new float[m * n];
            CpuGemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, first, 0, n);
            CpuGemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, second, 0, n);
            Parallel.forChunks(0, Parallel.threads(), (lo, hi) -> {   // inside a worker: 1 thread
                if (lo == 0) {
                    CpuGemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, single, 0, n);
                }
            });
            String shape = m + "×" + n + "×" + k;
            assertArrayEqualsExactly("second call " + shape, first, second);
            assertArrayEqualsExactly("single-threaded call " + shape, first, single);
        }
    }

    @Test
    void rejectsMatricesThatDoNotFitTheirArrays() {
        float[] x = new float[12];
        assertThrows(IllegalArgumentException.class,        // lda < k
                () -> CpuGemm.gemm(false, false, 3, 4, 4, 1f, x, 0, 3, x, 0, 4, 0f, x, 0, 4));
        assertThrows(IllegalArgumentException.class,        // C needs 3·4 + 1 elements
                () -> CpuGemm.gemm(false, false, 3, 4, 1, 1f, x, 0, 1, x, 0, 4, 0f, x, 1, 4));
        assertThrows(IllegalArgumentException.class,
                () -> CpuGemm.gemm(false, false, -1, 4, 1, 1f, x, 0, 1, x, 0, 4, 0f, x, 0, 4));
    }

    /**
     * Runs gemm and gemmNaive on the same op(A) (m×k), op(B) (k×n) and C, stored at offset
     * 3·pad + 1 with leading dimension cols + pad, and compares them element by element.
     */
    private static void check(int m, int n, int k, boolean tA, boolean tB, float alpha, float beta,
                              int pad, long seed) {
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad, off = 3 * pad + 1;
        float[] a = stored(aRows, aCols, lda, off, Float.NaN, seed);
        float[] b = stored(bRows, bCols, ldb, off, Float.NaN, seed + 1_000_003);
        float[] c = stored(m, n, ldc, off, C_SENTINEL, seed + 2_000_003);
        if (beta == 0f) fill(c, m, n, ldc, off, Float.NaN);  // must be ignored, not multiplied
        float[] expected = c.clone();
        CpuGemm.gemmNaive(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, expected, off,
                ldc);
        float[] magnitude = abs(c);                          // Σ|terms|, by the same loop
        CpuGemm.gemmNaive(tA, tB, m, n, k, Math.abs(alpha), abs(a), off, lda, abs(b), off, ldb,
                Math.abs(beta), magnitude, off, ldc);
        float[] actual = c.clone();
        CpuGemm.gemm(tA, tB, m, n, k, alpha, a, off, lda, b, off, ldb, beta, actual, off, ldc);

        String what = String.format("C of %d×%d×%d transA=%b transB=%b alpha=%s beta=%s pad=%d",
                m, n, k, tA, tB, alpha, beta, pad);
        for (int idx = 0; idx < c.length; idx++) {
            int row = (idx - off) / ldc, col = (idx - off) - row * ldc;
            boolean inside = idx >= off && row < m && col < n;
            if (!inside) {
                if (Float.compare(actual[idx], c[idx]) != 0) {
                    fail(what + ": padding [" + idx + "] changed from " + c[idx] + " to "
                            + actual[idx]);
                }
                continue;
            }
            double tol = (k + 2) * UNIT * magnitude[idx] + Double.MIN_NORMAL;
            double diff = Math.abs((double) actual[idx] - expected[idx]);
            if (!(diff <= tol)) {
                fail(what + ": C[" + row + "][" + col + "] = " + actual[idx] + ", reference "
                        + expected[idx] + ", |diff| " + diff + " > tol " + tol);
            }
        }
    }

    /** rows × cols values in [−1, 1) at off with row stride ld; everything else is `padding`. */
    private static float[] stored(int rows, int cols, int ld, int off, float padding, long seed) {
        float[] x = new float[off + rows * ld + 2];
        Arrays.fill(x, padding);
        float[] values = random(rows * cols, seed);
        for (int r = 0; r < rows; r++) System.arraycopy(values, r * cols, x, off + r * ld, cols);
        return x;
    }

    private static void fill(float[] x, int rows, int cols, int ld, int off, float value) {
        for (int r = 0; r < rows; r++) Arrays.fill(x, off + r * ld, off + r * ld + cols, value);
    }

    private static float[] random(int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (2 * rng.nextDouble() - 1);
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }

    private static void assertWithin(String what, float[] expected, float[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= tol)) {
                fail(what + "[" + i + "] = " + actual[i] + ", reference " + expected[i]
                        + ", |diff| " + diff + " > tol " + tol);
            }
        }
    }

    private static void assertArrayEqualsExactly(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": [" + i + "] = " + actual[i] + ", expected " + expected[i]);
            }
        }
    }
}
