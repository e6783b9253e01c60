package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * The general CpuConv2d path, one GEMM per group per image on the NCHW im2col matrix (Im2col):
 *   y_g (cOutG, P) = W_g (cOutG, kG) · col_g (kG, P),   kG = cInG·kH·kW,  P = outH·outW
 *   dcol_g (kG, P) = W_gᵀ · dy_g, then dx = col2im(dcol)
 *   dW_g (cOutG, kG) += dy_g · col_gᵀ
 * Used for groups > 1, for 1x1 stride-1 unpadded convolutions (x[img] is col itself, no copy) and
 * for the input gradients CpuConv2d cannot run as a forward (stride > 1, cIn < 16). Same contract
 * as CpuConv2d: outputs overwritten, deterministic.
 */
final class GroupedConv2d {
    private GroupedConv2d() {}

    static void forward(float[] x, float[] w, float[] bias, float[] y, Conv2dGeometry g) {
        int inSize = g.cIn() * g.h() * g.w(), outSize = g.cOut() * g.outH() * g.outW();
        CpuConv2d.forEachImageChunk(g.n(), (lo, hi) -> {
            float[] col = CpuConv2d.direct(g) ? null : Conv2dWorkspace.col(colSize(g));
            for (int img = lo; img < hi; img++) {
                forwardImage(x, img * inSize, w, bias, y, img * outSize, col, g);
            }
        });
    }

    static void backwardInput(float[] dy, float[] w, float[] dx, Conv2dGeometry g) {
        int inSize = g.cIn() * g.h() * g.w(), outSize = g.cOut() * g.outH() * g.outW();
        CpuConv2d.forEachImageChunk(g.n(), (lo, hi) -> {
            float[] col = CpuConv2d.direct(g) ? null : Conv2dWorkspace.col(colSize(g));
            for (int img = lo; img < hi; img++) {
                backwardInputImage(dy, img * outSize, w, dx, img * inSize, col, g);
            }
        });
    }

    /** Chunk 0 accumulates into dw, chunk k > 0 into partial k − 1; summed in chunk order. */
    static void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dGeometry g) {
        int n = g.n(), wSize = g.weightSize();
        int chunks = Parallel.chunkCount(n);
        float[] partials = chunks > 1 ? Conv2dWorkspace.partials((chunks - 1) * wSize) : null;
        Parallel.forChunks(0, n, (lo, hi) -> {
            int k = CpuConv2d.chunkIndex(lo, n, chunks);
            float[] acc = k == 0 ? dw : partials;
            int accOff = k == 0 ? 0 : (k - 1) * wSize;
            float[] col = CpuConv2d.direct(g) ? null : Conv2dWorkspace.col(colSize(g));
            for (int img = lo; img < hi; img++) {
                backwardWeightImage(x, dy, img, acc, accOff, img == lo, col, g);
            }
        });
        for (int k = 1; k < chunks; k++) {
            int off = (k - 1) * wSize;
            for (int i = 0; i < wSize; i++) dw[i] += partials[off + i];
        }
    }

    // ---- per image; col is this worker's im2col scratch, null on the direct 1x1 path ----

    private static void forwardImage(float[] x, int xOff, float[] w, float[] bias,
                                     float[] y, int yOff, float[] col, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        float[] b = col == null ? x : col;
        int bOff = col == null ? xOff : 0;
        if (col != null) Im2col.im2col(x, xOff, col, 0, p, g);
        for (int gi = 0; gi < g.groups(); gi++) {
            CpuGemm.gemm(false, false, cOutG, p, kG, 1f, w, gi * cOutG * kG, kG,
                    b, bOff + gi * kG * p, p, 0f, y, yOff + gi * cOutG * p, p);
        }
        if (bias == null) return;
        for (int o = 0; o < g.cOut(); o++) {
            float bo = bias[o];
            int row = yOff + o * p;
            for (int q = 0; q < p; q++) y[row + q] += bo;
        }
    }

    private static void backwardInputImage(float[] dy, int dyOff, float[] w,
                                           float[] dx, int dxOff, float[] col, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        float[] c = col == null ? dx : col;
        int cOff = col == null ? dxOff : 0;
        for (int gi = 0; gi < g.groups(); gi++) {
            CpuGemm.gemm(true, false, kG, p, cOutG, 1f, w, gi * cOutG * kG, kG,
                    dy, dyOff + gi * cOutG * p, p, 0f, c, cOff + gi * kG * p, p);
        }
        if (col != null) Im2col.col2im(col, 0, dx, dxOff, g);
    }

    /** acc_g (cOutG, kG) (+)= dy_g (cOutG, P) · col_gᵀ (P, kG); overwritten when first. */
    private static void backwardWeightImage(float[] x, float[] dy, int img, float[] acc, int accOff,
                                            boolean first, float[] col, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), kG = g.cInG() * g.kH() * g.kW(), cOutG = g.cOutG();
        int xOff = img * g.cIn() * g.h() * g.w(), dyOff = img * g.cOut() * p;
        float[] b = col == null ? x : col;
        int bOff = col == null ? xOff : 0;
        if (col != null) Im2col.im2col(x, xOff, col, 0, p, g);
        for (int gi = 0; gi < g.groups(); gi++) {
            CpuGemm.gemm(false, true, cOutG, kG, p, 1f, dy, dyOff + gi * cOutG * p, p,
                    b, bOff + gi * kG * p, p, first ? 0f : 1f, acc, accOff + gi * cOutG * kG, kG);
        }
    }

    private static int colSize(Conv2dGeometry g) {
        return g.cIn() * g.kH() * g.kW() * g.outH() * g.outW();
    }
}
