package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * CpuBilinearResize against a naive gather loop in double (PyTorch's align_corners=False index
 * formula), hand-computed PyTorch values, the adjoint identity and finite differences.
 * Forward tolerance atol 2e-5, rtol 1e-5: the kernel computes source coordinates in float as
 * PyTorch does, the naive loop in double; a coordinate off by ~2 ulp (2e-6 for sizes ≤ 16) moves
 * y by at most that times the largest neighbour difference (4 here), about 1e-5.
 * Gradcheck: eps 1e-3, atol 1e-3, rtol 1e-2.
 */
class CpuBilinearResizeTest {
    /** {nc, inH, inW, outH, outW}: up, down, non-integer ratios, 1-pixel planes, identity. */
    private static final int[][] SHAPES = {
            {1, 1, 1, 1, 1}, {2, 2, 2, 4, 4}, {3, 5, 7, 7, 3}, {1, 1, 4, 4, 1}, {2, 4, 1, 1, 5},
            {5, 13, 11, 6, 17}, {1, 7, 7, 7, 7}, {2, 3, 2, 11, 13}};

    @Test
    void forwardMatchesNaiveLoopOnOddShapes() {
        for (int[] s : SHAPES) {
            float[] x = uniform(1, s[0] * s[1] * s[2], -2, 2);
            float[] y = new float[s[0] * s[3] * s[4]];
            CpuBilinearResize.forward(x, y, s[0], s[1], s[2], s[3], s[4]);
            assertClose("y " + Arrays.toString(s), naive(x, s), y, 2e-5, 1e-5);
        }
    }

    @Test
    void upsamplingTwoByTwoMatchesPyTorch() {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear',
        // align_corners=False). Column sources (dst + 0.5)·0.5 − 0.5 = −0.25→0, 0.25, 0.75, 1.25→1
        // with λ = 0, 0.25, 0.75, (i0 = i1 = 1): row 0 = 1, 1·0.75 + 2·0.25, 1·0.25 + 2·0.75, 2.
        float[] x = {1, 2, 3, 4};
        float[] y = new float[16];
        CpuBilinearResize.forward(x, y, 1, 2, 2, 4, 4);
        assertArrayEquals(new float[] {
                1.00f, 1.25f, 1.75f, 2.00f,
                1.50f, 1.75f, 2.25f, 2.50f,
                2.50f, 2.75f, 3.25f, 3.50f,
                3.00f, 3.25f, 3.75f, 4.00f}, y, 1e-6f);
    }

    @Test
    void halvingAveragesEachTwoByTwoBlock() {
        // 4 → 2: src = (dst + 0.5)·2 − 0.5 = 2·dst + 0.5, so λ = 0.5 on both axes.
        float[] x = {1, 3, 5, 7,
                     1, 3, 5, 7,
                     2, 2, 0, 4,
                     6, 6, 8, 0};
        float[] y = new float[4];
        CpuBilinearResize.forward(x, y, 1, 4, 4, 2, 2);
        // (1+3+1+3)/4, (5+7+5+7)/4, (2+2+6+6)/4, (0+4+8+0)/4
        assertArrayEquals(new float[] {2, 6, 4, 3}, y, 1e-6f);
    }

    @Test
    void sameSizeIsTheIdentityExactly() {
        float[] x = uniform(2, 3 * 5 * 7, -2, 2);
        float[] y = new float[x.length];
        CpuBilinearResize.forward(x, y, 3, 5, 7, 5, 7);
        assertArrayEquals(x, y);                                 // src = dst, λ = 0
    }

    @Test
    void backwardIsTheAdjointOfForward() {
        for (int[] s : SHAPES) {
            float[] x = uniform(3, s[0] * s[1] * s[2], -1, 1);
            float[] dy = uniform(4, s[0] * s[3] * s[4], -1, 1);
            float[] y = new float[dy.length];
            float[] dx = uniform(5, x.length, 5, 6);             // garbage: must be overwritten
            CpuBilinearResize.forward(x, y, s[0], s[1], s[2], s[3], s[4]);
            CpuBilinearResize.backward(dy, dx, s[0], s[1], s[2], s[3], s[4]);
            double lhs = dot(y, dy), rhs = dot(x, dx);           // <A x, dy> = <x, Aᵀ dy>
            assertEquals(lhs, rhs, 1e-5 * (1 + Math.abs(lhs)), "adjoint " + Arrays.toString(s));
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        int nc = 2, inH = 3, inW = 4, outH = 5, outW = 3;
        float[] x = uniform(6, nc * inH * inW, -1, 1);
        float[] r = uniform(7, nc * outH * outW, -1, 1);         // L = Σ y·r
        float[] y = new float[r.length];
        float[] dx = new float[x.length];
        CpuBilinearResize.backward(r, dx, nc, inH, inW, outH, outW);
        double[] numeric = numericGradient(x, 1e-3, () -> {
            CpuBilinearResize.forward(x, y, nc, inH, inW, outH, outW);
            return dot(y, r);
        });
        assertClose("dx vs finite differences", numeric, dx, 1e-3, 1e-2);
    }

    @Test
    void twoRunsAreBitIdentical() {
        int nc = 64, inH = 28, inW = 27, outH = 57, outW = 13;
        float[] x = uniform(8, nc * inH * inW, -1, 1);
        float[] dy = uniform(9, nc * outH * outW, -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] y = new float[dy.length], dx = new float[x.length];
            CpuBilinearResize.forward(x, y, nc, inH, inW, outH, outW);
            CpuBilinearResize.backward(dy, dx, nc, inH, inW, outH, outW);
            return new float[][] {y, dx};
        }, "y", "dx");
    }

    /** y[p, oh, ow] = Σ over the four neighbours of their weight · x, all in double. */
    private static double[] naive(float[] x, int[] s) {
        int nc = s[0], inH = s[1], inW = s[2], outH = s[3], outW = s[4];
        double[] y = new double[nc * outH * outW];
        for (int p = 0; p < nc; p++) {
            for (int oh = 0; oh < outH; oh++) {
                double sh = Math.max((oh + 0.5) * inH / outH - 0.5, 0);
                int h0 = (int) Math.floor(sh), h1 = Math.min(h0 + 1, inH - 1);
                double lh = sh - h0;
                for (int ow = 0; ow < outW; ow++) {
                    double sw = Math.max((ow + 0.5) * inW / outW - 0.5, 0);
                    int w0 = (int) Math.floor(sw), w1 = Math.min(w0 + 1, inW - 1);
                    double lw = sw - w0;
                    int base = p * inH * inW;
                    y[(p * outH + oh) * outW + ow] =
                            (1 - lh) * (1 - lw) * x[base + h0 * inW + w0]
                            + (1 - lh) * lw * x[base + h0 * inW + w1]
                            + lh * (1 - lw) * x[base + h1 * inW + w0]
                            + lh * lw * x[base + h1 * inW + w1];
                }
            }
        }
        return y;
    }
}
