package org.finetune4j.tensor.cpu;

import java.util.Arrays;

/**
 * Bilinear resize, PyTorch's F.interpolate(mode='bilinear', align_corners=False), float32:
 *   x: (nc, inH, inW) → y: (nc, outH, outW), each plane resized on its own.
 * Source coordinate per axis, in float as PyTorch: src = max((dst + 0.5)·(in/out) − 0.5, 0),
 * i0 = floor(src), i1 = min(i0 + 1, in − 1), λ = src − i0; y = (1−λh)·row(i0) + λh·row(i1).
 * Outputs are overwritten. Parallel over planes with a fixed order inside each: deterministic.
 */
public final class CpuBilinearResize {
    private CpuBilinearResize() {}

    /** y[p, oh, ow] = Σ over the 2×2 neighbours of (srcH, srcW) of their bilinear weight · x. */
    public static void forward(float[] x, float[] y, int nc, int inH, int inW, int outH, int outW) {
        checkSizes("forward", x, y, nc, inH, inW, outH, outW);
        Axis rows = Axis.of(inH, outH), cols = Axis.of(inW, outW);
        Parallel.forRange(0, nc, plane -> {
            int xOff = plane * inH * inW, yOff = plane * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                int top = xOff + rows.i0[oh] * inW, bottom = xOff + rows.i1[oh] * inW;
                float lh = rows.lambda[oh], lh0 = 1f - lh;
                for (int ow = 0; ow < outW; ow++) {
                    int c0 = cols.i0[ow], c1 = cols.i1[ow];
                    float lw = cols.lambda[ow], lw0 = 1f - lw;
                    y[yOff + oh * outW + ow] = lh0 * (lw0 * x[top + c0] + lw * x[top + c1])
                            + lh * (lw0 * x[bottom + c0] + lw * x[bottom + c1]);
                }
            }
        });
    }

    /** The adjoint of forward: dx = 0, then each dy is scattered to its 2×2 source cells. */
    public static void backward(float[] dy, float[] dx, int nc, int inH, int inW,
                                int outH, int outW) {
        checkSizes("backward", dx, dy, nc, inH, inW, outH, outW);
        Axis rows = Axis.of(inH, outH), cols = Axis.of(inW, outW);
        Parallel.forRange(0, nc, plane -> {
            int xOff = plane * inH * inW, yOff = plane * outH * outW;
            Arrays.fill(dx, xOff, xOff + inH * inW, 0f);
            for (int oh = 0; oh < outH; oh++) {
                int top = xOff + rows.i0[oh] * inW, bottom = xOff + rows.i1[oh] * inW;
                float lh = rows.lambda[oh], lh0 = 1f - lh;
                for (int ow = 0; ow < outW; ow++) {
                    int c0 = cols.i0[ow], c1 = cols.i1[ow];
                    float lw = cols.lambda[ow], lw0 = 1f - lw;
                    float g = dy[yOff + oh * outW + ow];
                    dx[top + c0] += lh0 * lw0 * g;               // i0 == i1 at the border: both add
                    dx[top + c1] += lh0 * lw * g;
                    dx[bottom + c0] += lh * lw0 * g;
                    dx[bottom + c1] += lh * lw * g;
                }
            }
        });
    }

    /** Source indices and weights along one axis, computed once per call (out entries). */
    private record Axis(int[] i0, int[] i1, float[] lambda) {
        static Axis of(int in, int out) {
            int[] i0 = new int[out], i1 = new int[out];
            float[] lambda = new float[out];
            float scale = (float) in / out;                        // PyTorch: (float) in / out
            for (int dst = 0; dst < out; dst++) {
                float src = Math.max(scale * (dst + 0.5f) - 0.5f, 0f);
                i0[dst] = Math.min((int) src, in - 1);             // src ≥ 0, so the cast is floor
                i1[dst] = Math.min(i0[dst] + 1, in - 1);
                lambda[dst] = Math.min(src - i0[dst], 1f);
            }
            return new Axis(i0, i1, lambda);
        }
    }

    private static void checkSizes(String op, float[] in, float[] out, int nc, int inH, int inW,
                                   int outH, int outW) {
        String kernel = "bilinearResize." + op;
        ArraySizes.positive(kernel, nc, inH, inW, outH, outW);
        ArraySizes.require(kernel, "input-side array", in, (long) nc * inH * inW);
        ArraySizes.require(kernel, "output-side array", out, (long) nc * outH * outW);
    }
}
