package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * 2-D convolution on the CPU (NCHW, float32), PyTorch semantics incl. stride, padding, dilation
 * and groups. x: (n, cIn, h, w), w: (cOut, cIn/groups, kH, kW), y: (n, cOut, outH, outW).
 * Outputs are overwritten. Deterministic: fixed image chunks, partials summed in chunk order.
 * Parallel over images (GEMM single-threaded in a worker); one image parallelises inside GEMM.
 * Layouts (K = cIn·kH·kW, P = outH·outW), chosen by timing each resnet-mini layer, batch 64:
 *   forward: yᵀ (P, cOut) = row (P, K) · wr (K, cOut) (Im2row); GEMM reads row in place, where
 *     W·col (NCHW im2col) made it pack all of col again: 1.2-1.9x slower outside stage 1.
 *   backwardInput, stride 1: that forward on dy with the flipped kernel, no col2im scatter.
 *   backwardWeight: Conv2dBackwardWeight. Other cases: GroupedConv2d (im2col + GEMM per group).
 * Naive seven-loop references (Conv2dNaive, double accumulation) are what the tests trust.
 */
public final class CpuConv2d {
    private static final int ROWS_PER_GEMM = 256;       // batch images until M ≥ this (stage 3: 6)
    private static final int MAX_IMAGES_PER_GEMM = 8;
    private static final int MIN_TRANSPOSED_WIDTH = 16; // cIn is that GEMM's n (stem: 3.6x slower)

    private CpuConv2d() {}

    /** y = conv(x, w) + bias (bias may be null, shape (cOut)). y is overwritten. */
    public static void forward(float[] x, float[] w, float[] bias, float[] y, Conv2dGeometry g) {
        if (g.groups() == 1 && !direct(g)) {
            float[] wr = Conv2dWorkspace.weights(g.weightSize());      // (K, cOut)
            Im2row.forwardWeights(w, wr, g);
            forwardRows(x, wr, bias, y, g);
        } else {
            GroupedConv2d.forward(x, w, bias, y, g);
        }
    }

    /** dx = conv_transpose(dy, w): the gradient wrt x. dx is overwritten. */
    public static void backwardInput(float[] dy, float[] w, float[] dx, Conv2dGeometry g) {
        boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
        boolean padFits = g.padH() <= g.dilH() * (g.kH() - 1)
                && g.padW() <= g.dilW() * (g.kW() - 1);
        boolean wide = g.cIn() >= MIN_TRANSPOSED_WIDTH;
        if (g.groups() == 1 && !direct(g) && unitStride && padFits && wide) {
            float[] wr = Conv2dWorkspace.weights(g.weightSize());      // (kH·kW·cOut, cIn)
            Im2row.transposedWeights(w, wr, g);
            forwardRows(dy, wr, null, dx, transposed(g));
        } else {
            GroupedConv2d.backwardInput(dy, w, dx, g);
        }
    }

    /** dw = Σ_n dy ⋆ x: the gradient wrt w. dw is overwritten (not accumulated). */
    public static void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dGeometry g) {
        if (g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1) {
            int q = (g.outH() - 1) * (g.w() + 2 * g.padW()) + g.outW();
            Conv2dBackwardWeight.paddedColumns(x, dy, dw, g, imagesPerGemm(q));
        } else if (g.groups() == 1) {
            Conv2dBackwardWeight.rows(x, dy, dw, g, imagesPerGemm(g.outH() * g.outW()));
        } else {
            GroupedConv2d.backwardWeight(x, dy, dw, g);
        }
    }

    /** db[o] = Σ_{n,h,w} dy[n, o, h, w]; db is overwritten. Float per image row, double across. */
    public static void backwardBias(float[] dy, float[] db, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), cOut = g.cOut();
        Parallel.forRange(0, cOut, o -> {
            double sum = 0;
            for (int img = 0; img < g.n(); img++) {
                int base = (img * cOut + o) * p;
                float s = 0;
                for (int q = 0; q < p; q++) s += dy[base + q];
                sum += s;
            }
            db[o] = (float) sum;
        });
    }

    /**
     * y = conv(x, w) + bias for groups = 1, w given as wr (K, cOut) in Im2row's (i, j, c) order.
     * Worker scratch: xPad (hp, wp, cIn) | row (b·P, K) | yᵀ (b·P, cOut), b images per GEMM.
     */
    private static void forwardRows(float[] x, float[] wr, float[] bias, float[] y,
                                    Conv2dGeometry g) {
        int p = g.outH() * g.outW(), k = g.cIn() * g.kH() * g.kW(), cOut = g.cOut();
        int inSize = g.cIn() * g.h() * g.w(), outSize = cOut * p;
        int padSize = (g.h() + 2 * g.padH()) * (g.w() + 2 * g.padW()) * g.cIn();
        int batch = imagesPerGemm(p);
        int rowOff = padSize, yOff = padSize + batch * p * k;
        forEachImageChunk(g.n(), (lo, hi) -> {
            float[] ws = Conv2dWorkspace.col(yOff + batch * p * cOut);
            for (int i0 = lo; i0 < hi; i0 += batch) {
                int b = Math.min(batch, hi - i0);
                for (int t = 0; t < b; t++) {
                    Im2row.padToNhwc(x, (i0 + t) * inSize, ws, 0, g);
                    Im2row.im2row(ws, 0, ws, rowOff + t * p * k, g);
                }
                CpuGemm.gemm(false, false, b * p, cOut, k, 1f, ws, rowOff, k, wr, 0, cOut,
                        0f, ws, yOff, cOut);
                for (int t = 0; t < b; t++) {
                    int at = (i0 + t) * outSize;
                    Im2row.transpose(ws, yOff + t * p * cOut, cOut, p, cOut, y, at, p);
                    if (bias != null) addBias(y, at, bias, cOut, p);
                }
            }
        });
    }

    // ---- helpers ----

    /** A 1x1, stride-1, unpadded convolution: x[img] already is the (cIn, h·w) column matrix. */
    static boolean direct(Conv2dGeometry g) {
        return g.kH() == 1 && g.kW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padH() == 0 && g.padW() == 0;
    }

    /**
     * The stride-1 input gradient as a forward geometry: dy (n, cOut, outH, outW) convolved with
     * the flipped kernel at padding dil·(k − 1) − pad gives (n, cIn, h, w).
     */
    private static Conv2dGeometry transposed(Conv2dGeometry g) {
        return new Conv2dGeometry(g.n(), g.cOut(), g.outH(), g.outW(), g.cIn(), g.kH(), g.kW(),
                1, 1, g.dilH() * (g.kH() - 1) - g.padH(), g.dilW() * (g.kW() - 1) - g.padW(),
                g.dilH(), g.dilW(), 1);
    }

    private static int imagesPerGemm(int p) {
        return Math.max(1, Math.min(MAX_IMAGES_PER_GEMM, (ROWS_PER_GEMM + p - 1) / p));
    }

    private static void addBias(float[] y, int yOff, float[] bias, int cOut, int p) {
        for (int o = 0; o < cOut; o++) {
            float bo = bias[o];
            int row = yOff + o * p;
            for (int q = 0; q < p; q++) y[row + q] += bo;
        }
    }

    /** Whole images per worker when there are several; one image runs inline (GEMM parallel). */
    static void forEachImageChunk(int n, Parallel.Chunk body) {
        if (n == 1) {
            body.run(0, 1);
        } else {
            Parallel.forChunks(0, n, body);
        }
    }

    /** The index of the chunk that starts at lo, given Parallel's fixed chunking of [0, n). */
    static int chunkIndex(int lo, int n, int chunks) {
        for (int k = 0; k < chunks; k++) {
            if (Parallel.chunkStart(0, n, chunks, k) == lo) return k;
        }
        throw new IllegalStateException("conv2d: no chunk of [0, " + n + ") starts at " + lo);
    }

    // ---- naive references: seven loops, double accumulation (Conv2dNaive) ----

    /** Reference: y[n,o,oh,ow] = bias[o] + Σ_{c,i,j} x[n, gi·cInG + c, ih, iw] · w[o, c, i, j]. */
    public static void forwardNaive(float[] x, float[] w, float[] bias, float[] y,
                                    Conv2dGeometry g) {
        Conv2dNaive.forward(x, w, bias, y, g);
    }

    /** Reference gradient wrt x, gathered per dx element (no scatter). dx is overwritten. */
    public static void backwardInputNaive(float[] dy, float[] w, float[] dx, Conv2dGeometry g) {
        Conv2dNaive.backwardInput(dy, w, dx, g);
    }

    /** Reference gradient wrt w. dw is overwritten. */
    public static void backwardWeightNaive(float[] x, float[] dy, float[] dw, Conv2dGeometry g) {
        Conv2dNaive.backwardWeight(x, dy, dw, g);
    }
}
