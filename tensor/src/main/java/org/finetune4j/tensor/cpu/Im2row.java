package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * The position-major ("im2row") layout of CpuConv2d's groups = 1 paths, and transposes around it.
 *   xPad: (hp, wp, cIn): one image moved to NHWC inside a zero border (hp = h + 2·padH, same w)
 *   row:  (P, K), P = outH·outW, K = kH·kW·cIn in (i, j, c) order:
 *         row[oh·outW + ow, (i·kW + j)·cIn + c] = xPad[oh·sH + i·dilH, ow·sW + j·dilW, c]
 * With dilW = 1 the (j, c) part of a row is one contiguous run of xPad: kH copies per position,
 * no bounds checks. row · wr (K, cOut) = yᵀ (P, cOut), and CpuGemm reads row in place.
 */
final class Im2row {
    private Im2row() {}

    /** xPad (hp, wp, cIn) at padOff = x[xOff ..] (cIn, h, w) moved to NHWC in a zero border. */
    static void padToNhwc(float[] x, int xOff, float[] xPad, int padOff, Conv2dGeometry g) {
        int h = g.h(), w = g.w(), c = g.cIn(), wp = w + 2 * g.padW(), hp = h + 2 * g.padH();
        int border = g.padH() * wp * c;                                // floats in the top border
        Arrays.fill(xPad, padOff, padOff + border, 0f);
        Arrays.fill(xPad, padOff + hp * wp * c - border, padOff + hp * wp * c, 0f);
        for (int ih = 0; ih < h; ih++) {
            int line = padOff + (ih + g.padH()) * wp * c;             // xPad[ih + padH, :, :]
            Arrays.fill(xPad, line, line + g.padW() * c, 0f);
            Arrays.fill(xPad, line + (g.padW() + w) * c, line + wp * c, 0f);
            transpose(x, xOff + ih * w, h * w, c, w, xPad, line + g.padW() * c, c);
        }
    }

    /** row (P, K) at rowOff from xPad, in the (i, j, c) column order described above. */
    static void im2row(float[] xPad, int padOff, float[] row, int rowOff, Conv2dGeometry g) {
        int c = g.cIn(), wp = g.w() + 2 * g.padW(), kH = g.kH(), kW = g.kW();
        int span = g.dilW() == 1 ? kW * c : c;                         // floats per contiguous copy
        int copies = g.dilW() == 1 ? 1 : kW;
        int dst = rowOff;
        for (int oh = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                for (int i = 0; i < kH; i++) {
                    int ih = oh * g.strideH() + i * g.dilH();
                    int src = padOff + (ih * wp + ow * g.strideW()) * c;
                    for (int j = 0; j < copies; j++, dst += span) {
                        System.arraycopy(xPad, src + j * g.dilW() * c, row, dst, span);
                    }
                }
            }
        }
    }

    /** wr (K, cOut) with wr[(i·kW + j)·cIn + c, o] = w[o, c, i, j]: the forward B operand. */
    static void forwardWeights(float[] w, float[] wr, Conv2dGeometry g) {
        int c = g.cIn(), kH = g.kH(), kW = g.kW(), cOut = g.cOut();
        for (int o = 0; o < cOut; o++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kH; i++) {
                    for (int j = 0; j < kW; j++) {
                        int at = ((i * kW + j) * c + ch) * cOut + o;
                        wr[at] = w[((o * c + ch) * kH + i) * kW + j];
                    }
                }
            }
        }
    }

    /**
     * wr (kH·kW·cOut, cIn), wr[(i·kW + j)·cOut + o, c] = w[o, c, kH−1−i, kW−1−j]: the B operand of
     * the stride-1 input gradient written as a forward convolution of dy (flipped kernel, input
     * and output channels swapped).
     */
    static void transposedWeights(float[] w, float[] wr, Conv2dGeometry g) {
        int c = g.cIn(), kH = g.kH(), kW = g.kW(), cOut = g.cOut();
        for (int o = 0; o < cOut; o++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kH; i++) {
                    for (int j = 0; j < kW; j++) {
                        int flipped = ((kH - 1 - i) * kW + (kW - 1 - j)) * cOut + o;
                        wr[flipped * c + ch] = w[((o * c + ch) * kH + i) * kW + j];
                    }
                }
            }
        }
    }

    /**
     * dst (cols, rows), row stride ldd = src (rows, cols), row stride lds, transposed. Eight
     * source rows at a time: eight nearby loads, eight contiguous stores (2x the plain loop).
     */
    static void transpose(float[] src, int sOff, int lds, int rows, int cols,
                          float[] dst, int dOff, int ldd) {
        int r = 0;
        for (; r + 8 <= rows; r += 8) {
            int d = dOff + r;
            for (int col = 0; col < cols; col++, d += ldd) {
                int s = sOff + r * lds + col;
                dst[d] = src[s];
                dst[d + 1] = src[s + lds];
                dst[d + 2] = src[s + 2 * lds];
                dst[d + 3] = src[s + 3 * lds];
                dst[d + 4] = src[s + 4 * lds];
                dst[d + 5] = src[s + 5 * lds];
                dst[d + 6] = src[s + 6 * lds];
                dst[d + 7] = src[s + 7 * lds];
            }
        }
        for (; r < rows; r++) {
            int s = sOff + r * lds, d = dOff + r;
            for (int col = 0; col < cols; col++, d += ldd) dst[d] = src[s + col];
        }
    }
}
