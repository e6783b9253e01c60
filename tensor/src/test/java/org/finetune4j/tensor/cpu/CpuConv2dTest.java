package org.finetune4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.junit.jupiter.api.Test;

/**
 * CpuConv2d's fast path against its seven-loop, double-accumulating reference, on geometries that
 * hit every branch: kernel 1/3/5, 1x3 and 3x5, stride 1/2/3, padding 0/1/2, dilation 1/2,
 * groups 1/2/cIn, n = 1 (parallel inside the GEMM), odd n (uneven image chunks), several images
 * per GEMM with a remainder, odd spatial sizes.
 * Tolerance: |fast − ref| ≤ 1e-4 · max(1, max|ref|) per tensor. Each output is a float32 sum of at
 * most a few thousand products of values in [−1, 1]; its rounding error stays below 1e-5 of the
 * largest magnitude in the tensor, so 1e-4 leaves a 10x margin without hiding an indexing bug
 * (a wrong or missing term changes an element by about the size of one product, ~0.1 or more).
 */
class CpuConv2dTest {
    private static final double TOL = 1e-4;

    /** n, cIn, h, w, cOut, kH, kW, sH, sW, pH, pW, dH, dW, groups */
    private static List<Conv2dGeometry> geometries() {
        int[][] rows = {
            {1, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // smallest padded 3x3
            {2, 3, 9, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // odd spatial, same padding
            {2, 16, 9, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},     // cIn >= 16: dx as a flipped forward
            {1, 16, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},     // n = 1: GEMM parallel inside
            {3, 4, 11, 9, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1},     // stride 2, odd n
            {1, 5, 13, 12, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1},    // 5x5, pad 2, n = 1
            {3, 16, 11, 10, 3, 5, 5, 1, 1, 1, 2, 1, 1, 1},   // 5x5, unequal padding, flipped dx
            {5, 2, 10, 11, 3, 5, 5, 3, 3, 0, 0, 1, 1, 1},    // stride 3, no padding
            {2, 3, 8, 9, 5, 1, 3, 1, 1, 0, 1, 1, 1, 1},      // non-square 1x3
            {2, 16, 7, 8, 5, 3, 5, 1, 1, 0, 2, 1, 1, 1},     // 3x5 kernel, unequal padding
            {3, 6, 9, 9, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1},      // 1x1 stride 1: direct path
            {3, 6, 9, 10, 8, 1, 1, 2, 2, 0, 0, 1, 1, 1},     // 1x1 stride 2 (resnet shortcut)
            {2, 16, 5, 6, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1},     // padded 1x1: pad beyond the kernel
            {2, 4, 12, 11, 6, 3, 3, 1, 2, 2, 1, 2, 2, 1},    // dilation 2, mixed stride/padding
            {2, 16, 9, 10, 4, 3, 3, 1, 1, 2, 1, 2, 2, 1},    // dilation 2, stride 1
            {7, 16, 5, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},     // small P: several images per GEMM
            {19, 3, 3, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},     // 8 images per GEMM plus a remainder
            {9, 8, 5, 6, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1},     // strided, several images per GEMM
            {1, 6, 7, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2},      // 1x1 direct path with groups
            {3, 4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2},      // groups 2
            {2, 6, 8, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6},      // depthwise (groups = cIn)
            {3, 4, 10, 9, 8, 3, 3, 1, 1, 1, 1, 2, 1, 4},     // depthwise, multiplier 2, dilated
            {2, 3, 4, 4, 2, 3, 3, 3, 3, 2, 2, 1, 1, 1},      // padding larger than half the input
            {3, 16, 14, 14, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1},  // resnet-mini stage-2 entry
            {5, 32, 7, 7, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1},    // wide direct 1x1
        };
        List<Conv2dGeometry> out = new ArrayList<>();
        for (int[] r : rows) {
            out.add(new Conv2dGeometry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                    r[10], r[11], r[12], r[13]));
        }
        return out;
    }

    @Test
    void forwardMatchesNaiveLoopOnAllGeometries() {
        long seed = 1;
        for (Conv2dGeometry g : geometries()) {
            float[] x = Rng.seeded(seed++).uniform(g.inputSize(), -1f, 1f);
            float[] w = Rng.seeded(seed++).uniform(g.weightSize(), -1f, 1f);
            float[] bias = Rng.seeded(seed++).uniform(g.cOut(), -1f, 1f);
            for (float[] b : new float[][] {null, bias}) {
                float[] expected = new float[g.outputSize()];
                float[] actual = filledWithNaN(g.outputSize());        // proves y is overwritten
                CpuConv2d.forwardNaive(x, w, b, expected, g);
                CpuConv2d.forward(x, w, b, actual, g);
                assertClose(expected, actual, "y (bias " + (b != null) + ") " + g);
            }
        }
    }

    @Test
    void backwardInputMatchesNaiveLoopOnAllGeometries() {
        long seed = 100;
        for (Conv2dGeometry g : geometries()) {
            float[] dy = Rng.seeded(seed++).uniform(g.outputSize(), -1f, 1f);
            float[] w = Rng.seeded(seed++).uniform(g.weightSize(), -1f, 1f);
            float[] expected = new float[g.inputSize()];
            float[] actual = filledWithNaN(g.inputSize());
            CpuConv2d.backwardInputNaive(dy, w, expected, g);
            CpuConv2d.backwardInput(dy, w, actual, g);
            assertClose(expected, actual, "dx " + g);
        }
    }

    @Test
    void backwardWeightMatchesNaiveLoopOnAllGeometries() {
        long seed = 200;
        for (Conv2dGeometry g : geometries()) {
            float[] x = Rng.seeded(seed++).uniform(g.inputSize(), -1f, 1f);
            float[] dy = Rng.seeded(seed++).uniform(g.outputSize(), -1f, 1f);
            float[] expected = new float[g.weightSize()];
            float[] actual = filledWithNaN(g.weightSize());            // not accumulated into
            CpuConv2d.backwardWeightNaive(x, dy, expected, g);
            CpuConv2d.backwardWeight(x, dy, actual, g);
            assertClose(expected, actual, "dw " + g);
        }
    }

    @Test
    void backwardBiasSumsEveryImageAndPosition() {
        long seed = 300;
        for (Conv2dGeometry g : geometries()) {
            float[] dy = Rng.seeded(seed++).uniform(g.outputSize(), -1f, 1f);
            int p = g.outH() * g.outW();
            float[] expected = new float[g.cOut()];
            for (int o = 0; o < g.cOut(); o++) {
                double sum = 0;
                for (int n = 0; n < g.n(); n++) {
                    for (int q = 0; q < p; q++) sum += dy[(n * g.cOut() + o) * p + q];
                }
                expected[o] = (float) sum;
            }
            float[] actual = filledWithNaN(g.cOut());
            CpuConv2d.backwardBias(dy, actual, g);
            assertClose(expected, actual, "db " + g);
        }
    }

    @Test
    void naiveReferencesAreMutuallyAdjoint() {
        long seed = 400;
        for (Conv2dGeometry g : geometries()) {
            float[] x = Rng.seeded(seed++).uniform(g.inputSize(), -1f, 1f);
            float[] w = Rng.seeded(seed++).uniform(g.weightSize(), -1f, 1f);
            float[] dy = Rng.seeded(seed++).uniform(g.outputSize(), -1f, 1f);
            float[] y = new float[g.outputSize()];
            float[] dx = new float[g.inputSize()];
            float[] dw = new float[g.weightSize()];
            CpuConv2d.forwardNaive(x, w, null, y, g);
            CpuConv2d.backwardInputNaive(dy, w, dx, g);
            CpuConv2d.backwardWeightNaive(x, dy, dw, g);
            assertAdjoint(y, dy, x, dx, w, dw, "naive " + g);
        }
    }

    /** <conv(x, w), dy> = <x, backwardInput(dy, w)> = <w, backwardWeight(x, dy)> = Σ x·w·dy. */
    @Test
    void fastPathsAreMutuallyAdjoint() {
        long seed = 500;
        for (Conv2dGeometry g : geometries()) {
            float[] x = Rng.seeded(seed++).uniform(g.inputSize(), -1f, 1f);
            float[] w = Rng.seeded(seed++).uniform(g.weightSize(), -1f, 1f);
            float[] dy = Rng.seeded(seed++).uniform(g.outputSize(), -1f, 1f);
            float[] y = new float[g.outputSize()];
            float[] dx = new float[g.inputSize()];
            float[] dw = new float[g.weightSize()];
            CpuConv2d.forward(x, w, null, y, g);
            CpuConv2d.backwardInput(dy, w, dx, g);
            CpuConv2d.backwardWeight(x, dy, dw, g);
            assertAdjoint(y, dy, x, dx, w, dw, "fast " + g);
        }
    }

    /**
     * Batch 64 (both workers busy), stride 1 and stride 2 (every groups = 1 path), alternated so
     * each run starts from workspaces the other geometry left dirty.
     */
    @Test
    void repeatedRunsAreBitIdentical() {
        Conv2dGeometry[] shapes = {
            Conv2dGeometry.of(64, 16, 14, 14, 16, 3, 1, 1, 1),
            Conv2dGeometry.of(64, 16, 14, 14, 32, 3, 2, 1, 1),
        };
        float[][][] first = new float[shapes.length][][];
        for (int run = 0; run < 3; run++) {
            for (int s = 0; s < shapes.length; s++) {
                float[][] out = runAll(shapes[s], 600 + 10 * s);
                if (run == 0) {
                    first[s] = out;
                } else {
                    assertBitIdentical(first[s], out, shapes[s]);
                }
            }
        }
    }

    private static float[][] runAll(Conv2dGeometry g, long seed) {
        float[] x = Rng.seeded(seed).uniform(g.inputSize(), -1f, 1f);
        float[] w = Rng.seeded(seed + 1).uniform(g.weightSize(), -1f, 1f);
        float[] dy = Rng.seeded(seed + 2).uniform(g.outputSize(), -1f, 1f);
        float[] bias = Rng.seeded(seed + 3).uniform(g.cOut(), -1f, 1f);
        float[] y = new float[g.outputSize()];
        float[] dx = new float[g.inputSize()];
        float[] dw = new float[g.weightSize()];
        float[] db = new float[g.cOut()];
        CpuConv2d.forward(x, w, bias, y, g);
        CpuConv2d.backwardInput(dy, w, dx, g);
        CpuConv2d.backwardWeight(x, dy, dw, g);
        CpuConv2d.backwardBias(dy, db, g);
        return new float[][] {y, dx, dw, db};
    }

    private static void assertBitIdentical(float[][] first, float[][] again, Conv2dGeometry g) {
        String[] names = {"y", "dx", "dw", "db"};
        for (int t = 0; t < names.length; t++) {
            for (int i = 0; i < first[t].length; i++) {
                int a = Float.floatToRawIntBits(first[t][i]);
                int b = Float.floatToRawIntBits(again[t][i]);
                if (a != b) {
                    fail(names[t] + "[" + i + "] differs between runs: " + first[t][i] + " vs "
                            + again[t][i] + " for " + g);
                }
            }
        }
    }

    /** The three inner products agree to TOL times the largest of their absolute-value sums. */
    private static void assertAdjoint(float[] y, float[] dy, float[] x, float[] dx,
                                      float[] w, float[] dw, String what) {
        double viaY = dot(y, dy), viaX = dot(x, dx), viaW = dot(w, dw);
        double scale = Math.max(1, Math.max(absDot(y, dy), Math.max(absDot(x, dx), absDot(w, dw))));
        assertEquals(viaY, viaX, TOL * scale, what + ": <conv(x,w), dy> vs <x, dx>");
        assertEquals(viaY, viaW, TOL * scale, what + ": <conv(x,w), dy> vs <w, dw>");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    private static double absDot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((double) a[i] * b[i]);
        return s;
    }

    private static float[] filledWithNaN(int size) {
        float[] a = new float[size];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    /** llm.c's validate_result: the first mismatches (index, both values) and the max error. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxRef = 0;
        for (float e : expected) maxRef = Math.max(maxRef, Math.abs(e));
        double tol = TOL * Math.max(1, maxRef), maxErr = 0;
        StringBuilder firstBad = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) expected[i] - actual[i]);
            if (!(err <= tol)) {                                        // NaN counts as a mismatch
                if (bad++ < 5) {
                    firstBad.append(String.format("%n  [%d] expected %.7g, got %.7g",
                            i, expected[i], actual[i]));
                }
            }
            maxErr = Math.max(maxErr, err);                             // NaN propagates
        }
        assertTrue(bad == 0, what + ": " + bad + " of " + expected.length
                + " elements off by more than " + tol + " (max error " + maxErr + "):" + firstBad);
    }
}
