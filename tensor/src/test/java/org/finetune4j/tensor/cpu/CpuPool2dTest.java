package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.distinct;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.junit.jupiter.api.Test;

/**
 * CpuPool2d against a naive window loop (double), hand-computed cases, the avg-pool adjoint
 * identity and finite differences. Forward tolerance: atol 1e-6, rtol 1e-6 (float rounding of
 * one window sum); gradcheck: eps 1e-3, atol 1e-3, rtol 1e-2 (style guide float32 defaults).
 */
class CpuPool2dTest {
    /** Odd shapes: 1×1, primes, non-square kernels and strides, padding, global pooling. */
    private static final List<Pool2dGeometry> SHAPES = List.of(
            Pool2dGeometry.of(1, 1, 1, 1, 1, 1, 0),
            Pool2dGeometry.of(2, 3, 7, 5, 3, 2, 1),
            new Pool2dGeometry(1, 2, 5, 11, 3, 2, 1, 3, 1, 1),
            Pool2dGeometry.of(3, 1, 13, 7, 2, 2, 0),
            Pool2dGeometry.of(2, 5, 7, 7, 7, 1, 0),
            Pool2dGeometry.of(1, 1, 4, 4, 4, 4, 2));

    @Test
    void maxForwardMatchesNaiveLoopOnOddShapes() {
        for (Pool2dGeometry g : SHAPES) {
            float[] x = uniform(1, inSize(g), -3, 3);
            float[] y = new float[outSize(g)];
            int[] argmax = new int[outSize(g)];
            CpuPool2d.maxForward(x, y, argmax, g);
            int[] naiveArgmax = new int[outSize(g)];
            assertClose("max y " + g, naiveMax(x, g, naiveArgmax), y, 0, 0);
            assertArrayEquals(naiveArgmax, argmax, "max argmax " + g);
        }
    }

    @Test
    void avgForwardMatchesNaiveLoopOnOddShapes() {
        for (Pool2dGeometry g : SHAPES) {
            float[] x = uniform(2, inSize(g), -3, 3);
            float[] y = new float[outSize(g)];
            CpuPool2d.avgForward(x, y, g);
            assertClose("avg y " + g, naiveAvg(x, g), y, 1e-6, 1e-6);
        }
    }

    @Test
    void handComputedTwoByTwoWindows() {
        float[] x = {1, 5, 2, 0,
                     3, 4, 8, 1,
                     0, 2, 6, 7,
                     9, 1, 3, 3};
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 4, 4, 2, 2, 0);
        float[] y = new float[4];
        int[] argmax = new int[4];
        CpuPool2d.maxForward(x, y, argmax, g);
        assertArrayEquals(new float[] {5, 8, 9, 7}, y);
        assertArrayEquals(new int[] {1, 6, 12, 11}, argmax);   // 5 at (0,1), 8 at (1,2), …
        CpuPool2d.avgForward(x, y, g);
        // (1+5+3+4)/4, (2+0+8+1)/4, (0+2+9+1)/4, (6+7+3+3)/4
        assertArrayEquals(new float[] {3.25f, 2.75f, 3f, 4.75f}, y);
    }

    @Test
    void avgCountsPaddedZerosInTheDivisor() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};                 // 3×3; k 3, stride 2, pad 1 → 2×2
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 3, 3, 3, 2, 1);
        float[] y = new float[4];
        CpuPool2d.avgForward(x, y, g);
        // corners see 4 real cells and 5 padded zeros: (1+2+4+5)/9, (2+3+5+6)/9, (4+5+7+8)/9, …
        assertArrayEquals(new float[] {12f / 9, 16f / 9, 24f / 9, 28f / 9}, y, 1e-6f);
    }

    @Test
    void maxTreatsPaddingAsMinusInfinity() {
        float[] x = {-1, -2, -3, -4, -5, -6, -7, -8, -9};        // all below the padding's 0
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 3, 3, 3, 2, 1);
        float[] y = new float[4];
        int[] argmax = new int[4];
        CpuPool2d.maxForward(x, y, argmax, g);
        assertArrayEquals(new float[] {-1, -2, -4, -5}, y);      // never 0 from a padded cell
        assertArrayEquals(new int[] {0, 1, 3, 4}, argmax);
    }

    @Test
    void firstMaximumWinsOnTies() {
        float[] x = new float[9];
        java.util.Arrays.fill(x, 2f);                            // 3×3, every cell tied
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 3, 3, 2, 1, 0);
        float[] y = new float[4];
        int[] argmax = new int[4];
        CpuPool2d.maxForward(x, y, argmax, g);
        assertArrayEquals(new int[] {0, 1, 3, 4}, argmax);       // each window's top-left cell
    }

    @Test
    void maxBackwardScattersToArgmaxAndAddsOverlaps() {
        Pool2dGeometry g = Pool2dGeometry.of(2, 3, 6, 5, 3, 1, 1);   // stride 1: windows overlap
        float[] x = uniform(3, inSize(g), -1, 1);
        float[] y = new float[outSize(g)];
        int[] argmax = new int[outSize(g)];
        CpuPool2d.maxForward(x, y, argmax, g);
        float[] dy = uniform(4, outSize(g), -1, 1);
        float[] dx = uniform(5, inSize(g), 7, 8);                    // garbage: must be overwritten
        CpuPool2d.maxBackward(dy, argmax, dx, g);
        double[] expected = new double[inSize(g)];
        int planeIn = g.h() * g.w(), planeOut = g.outH() * g.outW();
        for (int i = 0; i < dy.length; i++) expected[(i / planeOut) * planeIn + argmax[i]] += dy[i];
        assertClose("max dx", expected, dx, 1e-6, 1e-6);
    }

    @Test
    void maxBackwardMatchesFiniteDifferences() {
        Pool2dGeometry g = new Pool2dGeometry(1, 2, 5, 6, 3, 2, 2, 1, 1, 1);
        float[] x = distinct(6, inSize(g), 0.1);                 // gaps 0.1 ≫ eps: no argmax flips
        float[] r = uniform(7, outSize(g), -1, 1);               // L = Σ y·r
        float[] y = new float[outSize(g)];
        int[] argmax = new int[outSize(g)];
        CpuPool2d.maxForward(x, y, argmax, g);
        float[] dx = new float[inSize(g)];
        CpuPool2d.maxBackward(r, argmax, dx, g);
        double[] numeric = numericGradient(x, 1e-3, () -> {
            CpuPool2d.maxForward(x, y, argmax, g);
            return dot(y, r);
        });
        assertClose("max dx vs finite differences", numeric, dx, 1e-3, 1e-2);
    }

    @Test
    void avgBackwardIsTheAdjointOfForward() {
        for (Pool2dGeometry g : SHAPES) {
            float[] x = uniform(8, inSize(g), -1, 1);
            float[] dy = uniform(9, outSize(g), -1, 1);
            float[] y = new float[outSize(g)];
            float[] dx = new float[inSize(g)];
            CpuPool2d.avgForward(x, y, g);
            CpuPool2d.avgBackward(dy, dx, g);
            double lhs = dot(y, dy), rhs = dot(x, dx);           // <A x, dy> = <x, Aᵀ dy>
            assertEquals(lhs, rhs, 1e-5 * (1 + Math.abs(lhs)), "adjoint " + g);
        }
    }

    @Test
    void avgBackwardMatchesFiniteDifferences() {
        Pool2dGeometry g = new Pool2dGeometry(2, 1, 5, 4, 3, 2, 2, 1, 1, 1);
        float[] x = uniform(10, inSize(g), -1, 1);
        float[] r = uniform(11, outSize(g), -1, 1);
        float[] y = new float[outSize(g)];
        float[] dx = new float[inSize(g)];
        CpuPool2d.avgBackward(r, dx, g);
        double[] numeric = numericGradient(x, 1e-3, () -> {
            CpuPool2d.avgForward(x, y, g);
            return dot(y, r);
        });
        assertClose("avg dx vs finite differences", numeric, dx, 1e-3, 1e-2);
    }

    @Test
    void twoRunsAreBitIdentical() {
        Pool2dGeometry g = Pool2dGeometry.of(4, 16, 33, 31, 3, 2, 1);
        float[] x = uniform(12, inSize(g), -1, 1);
        float[] dy = uniform(13, outSize(g), -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] y = new float[outSize(g)], yAvg = new float[outSize(g)];
            int[] argmax = new int[outSize(g)];
            float[] dx = new float[inSize(g)], dxAvg = new float[inSize(g)];
            CpuPool2d.maxForward(x, y, argmax, g);
            CpuPool2d.maxBackward(dy, argmax, dx, g);
            CpuPool2d.avgForward(x, yAvg, g);
            CpuPool2d.avgBackward(dy, dxAvg, g);
            return new float[][] {y, dx, yAvg, dxAvg};
        }, "max y", "max dx", "avg y", "avg dx");
    }

    private static int inSize(Pool2dGeometry g) {
        return g.n() * g.c() * g.h() * g.w();
    }

    private static int outSize(Pool2dGeometry g) {
        return g.n() * g.c() * g.outH() * g.outW();
    }

    /** Every window cell in order, padded ones included as −∞; strict > keeps the first max. */
    private static double[] naiveMax(float[] x, Pool2dGeometry g, int[] argmax) {
        double[] y = new double[outSize(g)];
        for (int p = 0; p < g.n() * g.c(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int i = 0; i < g.kH(); i++) {
                        for (int j = 0; j < g.kW(); j++) {
                            int ih = oh * g.strideH() - g.padH() + i;
                            int iw = ow * g.strideW() - g.padW() + j;
                            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;  // −∞
                            double v = x[(p * g.h() + ih) * g.w() + iw];
                            if (at < 0 || v > best) {
                                best = v;
                                at = ih * g.w() + iw;
                            }
                        }
                    }
                    int o = (p * g.outH() + oh) * g.outW() + ow;
                    y[o] = best;
                    argmax[o] = at;
                }
            }
        }
        return y;
    }

    /** Σ over the kH·kW window with zeros for padded cells, divided by kH·kW. */
    private static double[] naiveAvg(float[] x, Pool2dGeometry g) {
        double[] y = new double[outSize(g)];
        for (int p = 0; p < g.n() * g.c(); p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double sum = 0;
                    for (int i = 0; i < g.kH(); i++) {
                        for (int j = 0; j < g.kW(); j++) {
                            int ih = oh * g.strideH() - g.padH() + i;
                            int iw = ow * g.strideW() - g.padW() + j;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                sum += x[(p * g.h() + ih) * g.w() + iw];
                            }
                        }
                    }
                    y[(p * g.outH() + oh) * g.outW() + ow] = sum / (g.kH() * g.kW());
                }
            }
        }
        return y;
    }
}
