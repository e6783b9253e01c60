package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.backend.Pool2dGeometry;

/**
 * 2-D max and average pooling, NCHW float32, PyTorch semantics (floor mode):
 *   x: (n, c, h, w) → y: (n, c, outH, outW);
 *   window rows oh·strideH − padH + [0, kH), columns likewise.
 * Max pooling treats padding as −∞ and keeps the first maximum of a window in row-major scan order
 * (a NaN wins, as in PyTorch). Average pooling divides by kH·kW (count_include_pad = True).
 * Outputs are overwritten. Parallel over the n·c planes; each plane's loop order is fixed, so
 * results are bit-identical from run to run. CPU twin of cuDNN pooling (CudnnPool2d).
 */
public final class CpuPool2d {
    private CpuPool2d() {}

    /**
     * y = max over each window; argmax[i] = ih·w + iw, the index inside the input plane of the
     * maximum that produced y[i] (what maxBackward scatters to). argmax: (n, c, outH, outW).
     */
    public static void maxForward(float[] x, float[] y, int[] argmax, Pool2dGeometry g) {
        checkSizes("maxForward", x, y, g);
        long outSize = (long) g.n() * g.c() * g.outH() * g.outW();
        ArraySizes.require("pool2d.maxForward", "argmax", argmax, outSize);
        int h = g.h(), w = g.w(), outH = g.outH(), outW = g.outW();
        Parallel.forRange(0, g.n() * g.c(), plane -> {
            int xOff = plane * h * w;                               // start of x[plane, :, :]
            int yOff = plane * outH * outW;                         // start of y[plane, :, :]
            for (int oh = 0; oh < outH; oh++) {
                int h0 = oh * g.strideH() - g.padH();
                int hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.kH(), h);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * g.strideW() - g.padW();
                    int wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.kW(), w);
                    float max = Float.NEGATIVE_INFINITY;
                    int at = hLo * w + wLo;                 // all −∞: report the first cell
                    for (int ih = hLo; ih < hHi; ih++) {
                        for (int iw = wLo; iw < wHi; iw++) {
                            float v = x[xOff + ih * w + iw];
                            if (v > max || Float.isNaN(v)) {        // strict >: first max wins
                                max = v;
                                at = ih * w + iw;
                            }
                        }
                    }
                    y[yOff + oh * outW + ow] = max;
                    argmax[yOff + oh * outW + ow] = at;
                }
            }
        });
    }

    /** dx = 0, then dx[plane, argmax[i]] += dy[i] for every output i of that plane. */
    public static void maxBackward(float[] dy, int[] argmax, float[] dx, Pool2dGeometry g) {
        checkSizes("maxBackward", dx, dy, g);
        int planeIn = g.h() * g.w(), planeOut = g.outH() * g.outW();
        ArraySizes.require("pool2d.maxBackward", "argmax", argmax, (long) g.n() * g.c() * planeOut);
        Parallel.forRange(0, g.n() * g.c(), plane -> {
            int xOff = plane * planeIn, yOff = plane * planeOut;
            Arrays.fill(dx, xOff, xOff + planeIn, 0f);
            for (int i = 0; i < planeOut; i++) {
                dx[xOff + argmax[yOff + i]] += dy[yOff + i];       // overlapping windows add up
            }
        });
    }

    /** y = (1 / (kH·kW)) · Σ_window x, padded cells counting as zeros; summed in double. */
    public static void avgForward(float[] x, float[] y, Pool2dGeometry g) {
        checkSizes("avgForward", x, y, g);
        int h = g.h(), w = g.w(), outH = g.outH(), outW = g.outW();
        double area = (double) g.kH() * g.kW();
        Parallel.forRange(0, g.n() * g.c(), plane -> {
            int xOff = plane * h * w, yOff = plane * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                int h0 = oh * g.strideH() - g.padH();
                int hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.kH(), h);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * g.strideW() - g.padW();
                    int wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.kW(), w);
                    double sum = 0;
                    for (int ih = hLo; ih < hHi; ih++) {
                        for (int iw = wLo; iw < wHi; iw++) sum += x[xOff + ih * w + iw];
                    }
                    y[yOff + oh * outW + ow] = (float) (sum / area);
                }
            }
        });
    }

    /** The adjoint of avgForward: dx = 0, then every window cell gets dy / (kH·kW). */
    public static void avgBackward(float[] dy, float[] dx, Pool2dGeometry g) {
        checkSizes("avgBackward", dx, dy, g);
        int h = g.h(), w = g.w(), outH = g.outH(), outW = g.outW();
        float area = (float) g.kH() * g.kW();
        Parallel.forRange(0, g.n() * g.c(), plane -> {
            int xOff = plane * h * w, yOff = plane * outH * outW;
            Arrays.fill(dx, xOff, xOff + h * w, 0f);
            for (int oh = 0; oh < outH; oh++) {
                int h0 = oh * g.strideH() - g.padH();
                int hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.kH(), h);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * g.strideW() - g.padW();
                    int wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.kW(), w);
                    float share = dy[yOff + oh * outW + ow] / area;   // padded cells get theirs
                    for (int ih = hLo; ih < hHi; ih++) {
                        for (int iw = wLo; iw < wHi; iw++) dx[xOff + ih * w + iw] += share;
                    }
                }
            }
        });
    }

    private static void checkSizes(String op, float[] in, float[] out, Pool2dGeometry g) {
        long planes = (long) g.n() * g.c();
        ArraySizes.require("pool2d." + op, "input-side array", in, planes * g.h() * g.w());
        ArraySizes.require("pool2d." + op, "output-side array", out, planes * g.outH() * g.outW());
    }
}
