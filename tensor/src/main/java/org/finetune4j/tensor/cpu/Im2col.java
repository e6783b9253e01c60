package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.backend.Conv2dGeometry;

/**
 * im2col and its adjoint col2im for one NCHW image, with PyTorch's conv2d index arithmetic.
 *   col: (cIn·kH·kW, outH·outW), row stride ldCol ≥ outH·outW; row r = (c·kH + i)·kW + j holds,
 *        at column oh·outW + ow, x[c, oh·sH − padH + i·dilH, ow·sW − padW + j·dilW] (0 in padding).
 * Rows are in weight order (c, i, j), so group g owns the contiguous row block [g·kG, (g+1)·kG).
 * col2im scatter-adds in a fixed loop order, so its result is deterministic.
 */
final class Im2col {
    private Im2col() {}

    /** Fills col (cIn·kH·kW, outH·outW), row stride ldCol, from image x[xOff ..] (cIn, h, w). */
    static void im2col(float[] x, int xOff, float[] col, int colOff, int ldCol, Conv2dGeometry g) {
        int h = g.h(), w = g.w(), outH = g.outH(), outW = g.outW();
        int sH = g.strideH(), sW = g.strideW();
        int row = colOff;
        for (int c = 0; c < g.cIn(); c++) {
            int xc = xOff + c * h * w;                                 // start of x[c, :, :]
            for (int i = 0; i < g.kH(); i++) {
                int ih0 = i * g.dilH() - g.padH();                     // input row of oh = 0
                for (int j = 0; j < g.kW(); j++, row += ldCol) {
                    int dj = j * g.dilW() - g.padW();                  // input column of ow = 0
                    int owLo = validFrom(dj, sW, outW);
                    int owHi = Math.max(owLo, validTo(dj, sW, w, outW));
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = ih0 + oh * sH;
                        int dst = row + oh * outW;
                        if (ih < 0 || ih >= h) {
                            Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = xc + ih * w + dj;                    // x index at ow = 0
                        Arrays.fill(col, dst, dst + owLo, 0f);
                        if (sW == 1) {
                            System.arraycopy(x, src + owLo, col, dst + owLo, owHi - owLo);
                        } else {
                            for (int ow = owLo; ow < owHi; ow++) col[dst + ow] = x[src + ow * sW];
                        }
                        Arrays.fill(col, dst + owHi, dst + outW, 0f);
                    }
                }
            }
        }
    }

    /** dx[dxOff ..] (cIn, h, w) = col2im(col): the adjoint of im2col. dx is overwritten. */
    static void col2im(float[] col, int colOff, float[] dx, int dxOff, Conv2dGeometry g) {
        int h = g.h(), w = g.w(), outH = g.outH(), outW = g.outW(), p = outH * outW;
        int sH = g.strideH(), sW = g.strideW();
        Arrays.fill(dx, dxOff, dxOff + g.cIn() * h * w, 0f);
        int row = colOff;
        for (int c = 0; c < g.cIn(); c++) {
            int xc = dxOff + c * h * w;
            for (int i = 0; i < g.kH(); i++) {
                int ih0 = i * g.dilH() - g.padH();
                for (int j = 0; j < g.kW(); j++, row += p) {
                    int dj = j * g.dilW() - g.padW();
                    int owLo = validFrom(dj, sW, outW);
                    int owHi = Math.max(owLo, validTo(dj, sW, w, outW));
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = ih0 + oh * sH;
                        if (ih < 0 || ih >= h) continue;               // padding receives nothing
                        int src = row + oh * outW;
                        int dst = xc + ih * w + dj;
                        if (sW == 1) {
                            for (int ow = owLo; ow < owHi; ow++) dx[dst + ow] += col[src + ow];
                        } else {
                            for (int ow = owLo; ow < owHi; ow++) dx[dst + ow * sW] += col[src + ow];
                        }
                    }
                }
            }
        }
    }

    /** First ow with ow·stride + d >= 0, clamped to [0, outW]. */
    private static int validFrom(int d, int stride, int outW) {
        if (d >= 0) return 0;
        return Math.min(outW, (-d + stride - 1) / stride);
    }

    /** One past the last ow with ow·stride + d < w, clamped to [0, outW]. */
    private static int validTo(int d, int stride, int w, int outW) {
        if (w - 1 - d < 0) return 0;
        return Math.min(outW, (w - 1 - d) / stride + 1);
    }
}
