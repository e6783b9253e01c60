package org.finetune4j.tensor.cpu;

import java.util.Arrays;

/**
 * Copies blocks of op(A) and op(B) into the contiguous layouts the GEMM micro-kernels stream, so
 * the kernels see unit-stride data whatever the transposes and leading dimensions are. Padding
 * rows and columns are written as zeros (the buffers are reused, so stale values must not leak
 * into a tile). Layouts, for a block starting at row i0 / column j0 / depth p0:
 *   B: panels of w = 2L columns (the last one L when at most L columns remain),
 *      panel q at q·kc·2L, element (p, j) at + p·w + j
 *   A: panels of MR rows, panel r at r·MR·kc, element (i, p) at + p·MR + i
 */
final class GemmPacking {
    private GemmPacking() {}

    /** Width of the B panel that starts at column offset jq of a block with nc columns. */
    static int panelWidth(int nc, int jq, int lanes) {
        return nc - jq <= lanes ? lanes : 2 * lanes;
    }

    /**
     * Packs alpha·op(B)[p0 .. p0+kc, j0 .. j0+nc) (op(B) is k × n) into bp; returns the panel
     * count. Folding alpha into B keeps it out of the micro-kernels' epilogue (exact for alpha 1).
     */
    static int packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
            float alpha, int lanes, float[] bp) {
        int panels = 0;
        for (int jq = 0; jq < nc; jq += 2 * lanes, panels++) {
            int w = panelWidth(nc, jq, lanes);
            int valid = Math.min(w, nc - jq);
            int base = panels * kc * 2 * lanes;
            for (int p = 0; p < kc; p++) {
                int to = base + p * w;
                if (transB) {                           // B stored n × k: column j is row j of b
                    int from = bOff + (j0 + jq) * ldb + p0 + p;
                    for (int j = 0; j < valid; j++) bp[to + j] = b[from + j * ldb];
                } else {
                    System.arraycopy(b, bOff + (p0 + p) * ldb + j0 + jq, bp, to, valid);
                }
                if (alpha != 1f) {
                    for (int j = 0; j < valid; j++) bp[to + j] *= alpha;
                }
                if (valid < w) Arrays.fill(bp, to + valid, to + w, 0f);
            }
        }
        return panels;
    }

    /** Packs op(A)[i0 .. i0+mc, p0 .. p0+kc) (op(A) is m × k) into panels of mr rows in ap. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
            int mr, float[] ap) {
        for (int ir = 0; ir < mc; ir += mr) {
            int valid = Math.min(mr, mc - ir);
            int base = ir * kc;                          // = panel index · mr · kc
            if (transA) {                                // A stored k × m: mr rows are contiguous
                for (int p = 0; p < kc; p++) {
                    int to = base + p * mr;
                    System.arraycopy(a, aOff + (p0 + p) * lda + i0 + ir, ap, to, valid);
                    if (valid < mr) Arrays.fill(ap, to + valid, to + mr, 0f);
                }
            } else if (valid == mr && mr % 4 == 0) {
                packRows(a, aOff + (i0 + ir) * lda + p0, lda, kc, mr, ap, base);
            } else {
                for (int i = 0; i < mr; i++) {
                    int from = aOff + (i0 + ir + i) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * mr + i] = i < valid ? a[from + p] : 0f;
                    }
                }
            }
        }
    }

    /**
     * One whole panel of a row-major A: four rows at a time, so that each p writes four adjacent
     * floats (30% faster than one row at a time, measured on 144×256 blocks).
     */
    private static void packRows(float[] a, int from, int lda, int kc, int mr, float[] ap,
            int base) {
        for (int i = 0; i < mr; i += 4) {
            int r0 = from + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
            for (int p = 0; p < kc; p++) {
                int to = base + p * mr + i;
                ap[to] = a[r0 + p];
                ap[to + 1] = a[r1 + p];
                ap[to + 2] = a[r2 + p];
                ap[to + 3] = a[r3 + p];
            }
        }
    }

    /** Copies `valid` rows of a row-major A into rows (mr × kc), zeroing the other rows. */
    static void copyRows(float[] a, int aOff, int lda, int i0, int valid, int p0, int kc, int mr,
            float[] rows) {
        for (int i = 0; i < valid; i++) {
            System.arraycopy(a, aOff + (i0 + i) * lda + p0, rows, i * kc, kc);
        }
        Arrays.fill(rows, valid * kc, mr * kc, 0f);
    }
}
