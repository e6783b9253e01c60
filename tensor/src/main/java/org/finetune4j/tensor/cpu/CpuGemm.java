package org.finetune4j.tensor.cpu;

/**
 * Single-precision GEMM on row-major float arrays with BLAS semantics:
 *   C = alpha·op(A)·op(B) + beta·C,   op(A): (m, k),  op(B): (k, n),  C: (m, n).
 * The fast path (GemmBlocking: packing, cache blocks, register tiles of SimdGemmKernel, or of
 * ScalarGemmKernel without the Vector API; GemmTransposed for shapes better done as Cᵀ)
 * accumulates in float in increasing k, in slices of GemmBlocking.KC; gemmNaive is the triple
 * loop in double it is tested against (CpuGemmTest). Deterministic: same inputs give
 * bit-identical C, whatever the thread count or timing (the two paths differ from each other).
 */
public final class CpuGemm {
    private CpuGemm() {}

    /**
     * C = alpha·op(A)·op(B) + beta·C. A is stored (k, m) when transA, B is stored (n, k) when
     * transB; lda/ldb/ldc are row strides in elements. beta == 0 overwrites C (NaN in C ignored);
     * alpha == 0 or k == 0 leaves A and B unread. Uses Parallel's threads (one when called from a
     * Parallel worker).
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        var g = new GemmBlocking.Problem(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
        if (GemmTransposed.suits(g)) {
            GemmTransposed.compute(g);
        } else {
            GemmBlocking.computeParallel(g);
        }
    }

    /**
     * Batched gemm: matrix i (0 ≤ i < batch) starts at aOff + i·strideA, bOff + i·strideB and
     * cOff + i·strideC. Parallel over the batch when batch ≥ threads, else over each product.
     */
    public static void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, long strideA,
                                   float[] b, int bOff, int ldb, long strideB,
                                   float beta, float[] c, int cOff, int ldc, long strideC,
                                   int batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("gemmBatched: batch = " + batch + " < 0");
        }
        Parallel.Chunk matrices = (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                gemm(transA, transB, m, n, k, alpha, a, offset(aOff, i, strideA), lda,
                        b, offset(bOff, i, strideB), ldb, beta, c, offset(cOff, i, strideC), ldc);
            }
        };
        if (batch >= Parallel.threads()) {
            Parallel.forChunks(0, batch, matrices);      // each gemm then runs on its worker alone
        } else {
            matrices.run(0, batch);
        }
    }

    /**
     * The triple loop in double precision, the reference the fast path is tested against. Same
     * contract as gemm (beta == 0 ignores C; alpha == 0 ignores A and B); single-threaded.
     */
    public static void gemmNaive(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; alpha != 0f && p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                double prior = beta == 0f ? 0 : (double) beta * c[ci];
                c[ci] = (float) (alpha * sum + prior);
            }
        }
    }

    /** C = beta·C (C = 0 when beta == 0, so NaN in C does not survive). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }

    private static void checkArguments(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(
                    "gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    /** A stored rows × cols matrix at off with row stride ld must lie inside x. */
    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(
                    "gemm: ld" + name + " = " + ld + " < " + cols + " columns");
        }
        if (rows == 0 || cols == 0) return;
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= x.length) {
            throw new IllegalArgumentException("gemm: " + name + " (" + rows + "×" + cols + ", ld "
                    + ld + ") at offset " + off + " needs index " + last + ", array length "
                    + x.length);
        }
    }

    private static int offset(int base, int i, long stride) {
        return Math.toIntExact(base + i * stride);
    }
}
