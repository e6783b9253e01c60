package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * dw = Σ_n dy ⋆ x for groups = 1 (CpuConv2d.backwardWeight); dw (cOut, cIn, kH, kW) is
 * overwritten. Two layouts, by stride:
 *   stride 1, "padded-width columns": in x zero-padded to (cIn, hp, wp) im2col row (c, i, j) is
 *     ONE contiguous run when positions are numbered q = oh·wp + ow (columns ow ≥ outW are
 *     garbage). So col (K, Q) costs K copies, and dwᵀ (K, cOut) = col · dyᵀ (Q, cOut) with zero
 *     rows of dyᵀ cancelling the garbage; GEMM reads col in place. 7-29% more multiply-adds
 *     than im2col, but NCHW im2col's short copies cost as much as the GEMM (1.2-1.4x overall).
 *   other strides: dw' (cOut, K') = dy (cOut, P) · row (P, K'), row from Im2row, (i, j, c) order.
 * Each chunk of images accumulates into its own partial; partials are summed in chunk order.
 */
final class Conv2dBackwardWeight {
    private Conv2dBackwardWeight() {}

    static void paddedColumns(float[] x, float[] dy, float[] dw, Conv2dGeometry g, int batch) {
        int n = g.n(), k = g.cIn() * g.kH() * g.kW(), cOut = g.cOut();
        int wp = g.w() + 2 * g.padW(), plane = (g.h() + 2 * g.padH()) * wp;
        int q = (g.outH() - 1) * wp + g.outW();                       // ends at the last valid one
        int ld = batch * q;
        int colOff = g.cIn() * plane, dyTOff = colOff + k * ld;       // xPad | col | dyᵀ (b·Q, ·)
        int chunks = Parallel.chunkCount(n), partSize = k * cOut;
        float[] partials = Conv2dWorkspace.partials(chunks * partSize); // dwᵀ (K, cOut) per chunk
        Parallel.forChunks(0, n, (lo, hi) -> {
            int accOff = CpuConv2d.chunkIndex(lo, n, chunks) * partSize;
            float[] ws = Conv2dWorkspace.col(dyTOff + ld * cOut);
            for (int i0 = lo; i0 < hi; i0 += batch) {
                int b = Math.min(batch, hi - i0);
                for (int t = 0; t < b; t++) {
                    padPlanes(x, (i0 + t) * g.cIn() * g.h() * g.w(), ws, g);
                    int row = colOff + t * q;                          // col (K, b·Q), stride ld
                    for (int c = 0; c < g.cIn(); c++) {
                        for (int i = 0; i < g.kH(); i++) {
                            for (int j = 0; j < g.kW(); j++, row += ld) {
                                int from = c * plane + i * g.dilH() * wp + j * g.dilW();
                                System.arraycopy(ws, from, ws, row, q);
                            }
                        }
                    }
                    paddedTranspose(dy, i0 + t, ws, dyTOff + t * q * cOut, wp, g);
                }
                CpuGemm.gemm(false, false, k, cOut, b * q, 1f, ws, colOff, ld, ws, dyTOff, cOut,
                        i0 == lo ? 0f : 1f, partials, accOff, cOut);
            }
        });
        for (int o = 0; o < cOut; o++) {
            for (int r = 0; r < k; r++) {
                float s = partials[r * cOut + o];
                for (int c = 1; c < chunks; c++) s += partials[c * partSize + r * cOut + o];
                dw[o * k + r] = s;
            }
        }
    }

    static void rows(float[] x, float[] dy, float[] dw, Conv2dGeometry g, int batch) {
        int n = g.n(), p = g.outH() * g.outW(), k = g.cIn() * g.kH() * g.kW(), cOut = g.cOut();
        int inSize = g.cIn() * g.h() * g.w(), outSize = cOut * p;
        int padSize = (g.h() + 2 * g.padH()) * (g.w() + 2 * g.padW()) * g.cIn();
        int ld = batch * p;
        int rowOff = padSize, dyOff = padSize + ld * k;               // xPad | row | dy (cOut, b·P)
        int chunks = Parallel.chunkCount(n), partSize = k * cOut;
        float[] partials = Conv2dWorkspace.partials(chunks * partSize); // dw' (cOut, K') per chunk
        Parallel.forChunks(0, n, (lo, hi) -> {
            int accOff = CpuConv2d.chunkIndex(lo, n, chunks) * partSize;
            float[] ws = Conv2dWorkspace.col(dyOff + cOut * ld);
            for (int i0 = lo; i0 < hi; i0 += batch) {
                int b = Math.min(batch, hi - i0);
                for (int t = 0; t < b; t++) {
                    Im2row.padToNhwc(x, (i0 + t) * inSize, ws, 0, g);
                    Im2row.im2row(ws, 0, ws, rowOff + t * p * k, g);
                    for (int o = 0; o < cOut; o++) {
                        int from = (i0 + t) * outSize + o * p;
                        System.arraycopy(dy, from, ws, dyOff + o * ld + t * p, p);
                    }
                }
                CpuGemm.gemm(false, false, cOut, k, b * p, 1f, ws, dyOff, ld, ws, rowOff, k,
                        i0 == lo ? 0f : 1f, partials, accOff, k);
            }
        });
        int c = g.cIn(), kH = g.kH(), kW = g.kW();                    // (i, j, c) back to (c, i, j)
        for (int o = 0; o < cOut; o++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kH; i++) {
                    for (int j = 0; j < kW; j++) {
                        int r = o * k + (i * kW + j) * c + ch;
                        float s = partials[r];
                        for (int part = 1; part < chunks; part++) {
                            s += partials[part * partSize + r];
                        }
                        dw[((o * c + ch) * kH + i) * kW + j] = s;
                    }
                }
            }
        }
    }

    /** ws[0 ..] (cIn, hp, wp) = x[xOff ..] (cIn, h, w) inside a zero border. */
    private static void padPlanes(float[] x, int xOff, float[] ws, Conv2dGeometry g) {
        int h = g.h(), w = g.w(), wp = w + 2 * g.padW(), plane = (h + 2 * g.padH()) * wp;
        Arrays.fill(ws, 0, g.cIn() * plane, 0f);
        for (int c = 0; c < g.cIn(); c++) {
            for (int ih = 0; ih < h; ih++) {
                int to = c * plane + (ih + g.padH()) * wp + g.padW();
                System.arraycopy(x, xOff + (c * h + ih) * w, ws, to, w);
            }
        }
    }

    /** dyᵀ of image img numbered q = oh·wp + ow: ws[at + q·cOut + o], zero where ow ≥ outW. */
    private static void paddedTranspose(float[] dy, int img, float[] ws, int at, int wp,
                                        Conv2dGeometry g) {
        int outH = g.outH(), outW = g.outW(), cOut = g.cOut(), p = outH * outW;
        for (int oh = 0; oh < outH; oh++) {
            int line = at + oh * wp * cOut;
            Im2row.transpose(dy, img * cOut * p + oh * outW, p, cOut, outW, ws, line, cOut);
            if (oh < outH - 1) Arrays.fill(ws, line + outW * cOut, line + wp * cOut, 0f);
        }
    }
}
