package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.assertRunsAreBitIdentical;
import static org.finetune4j.tensor.cpu.KernelTestKit.dot;
import static org.finetune4j.tensor.cpu.KernelTestKit.numericGradient;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * CpuSoftmax against a naive per-row loop in double, hand-computed values, extreme logits and
 * finite differences. Tolerances: forward atol 1e-6, rtol 1e-6 (one float rounding of a double
 * result); backward vs the formula atol 1e-6, rtol 1e-5; gradcheck eps 1e-3, atol 1e-3, rtol 1e-2.
 */
class CpuSoftmaxTest {
    /** {outer, axis, inner}: size-1 axes, primes, strided (inner > 1) and contiguous rows. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 1, 2}, {2, 5, 3}, {3, 7, 1}, {1, 13, 4}, {4, 2, 9}};

    @Test
    void softmaxAndLogSoftmaxMatchNaiveLoopOnOddShapes() {
        for (int[] s : SHAPES) {
            float[] x = uniform(1, s[0] * s[1] * s[2], -4, 4);
            float[] y = new float[x.length], logY = new float[x.length];
            CpuSoftmax.softmax(x, y, s[0], s[1], s[2]);
            CpuSoftmax.logSoftmax(x, logY, s[0], s[1], s[2]);
            double[] expected = naiveSoftmax(x, s);
            double[] expectedLog = Arrays.stream(expected).map(Math::log).toArray();
            assertClose("softmax " + Arrays.toString(s), expected, y, 1e-6, 1e-6);
            assertClose("logSoftmax " + Arrays.toString(s), expectedLog, logY, 1e-6, 1e-6);
        }
    }

    @Test
    void handComputedTwoClasses() {
        // softmax(0, ln 3) = (1, 3)/(1 + 3) = (0.25, 0.75); log of that = (−1.3862944, −0.2876821)
        float[] x = {0f, (float) Math.log(3)};
        float[] y = new float[2];
        CpuSoftmax.softmax(x, y, 1, 2, 1);
        assertArrayEquals(new float[] {0.25f, 0.75f}, y, 1e-7f);
        CpuSoftmax.logSoftmax(x, y, 1, 2, 1);
        assertArrayEquals(new float[] {-1.3862944f, -0.2876821f}, y, 1e-6f);
    }

    @Test
    void hugeLogitsStayFinite() {
        // Shifted by ±1000 the answer is unchanged; exp(1000) alone would overflow. The float
        // inputs near 1000 carry an ulp of 6e-5, hence the 1e-4 tolerance.
        for (float shift : new float[] {1000f, -1000f}) {
            float[] x = {shift, shift + (float) Math.log(3)};
            float[] y = new float[2];
            CpuSoftmax.softmax(x, y, 1, 2, 1);
            assertArrayEquals(new float[] {0.25f, 0.75f}, y, 1e-4f, "shift " + shift);
            CpuSoftmax.logSoftmax(x, y, 1, 2, 1);
            assertArrayEquals(new float[] {-1.3862944f, -0.2876821f}, y, 1e-4f, "shift " + shift);
        }
    }

    @Test
    void backwardsMatchTheirFormulasOnOddShapes() {
        for (int[] s : SHAPES) {
            float[] x = uniform(2, s[0] * s[1] * s[2], -3, 3), dy = uniform(3, x.length, -1, 1);
            float[] y = new float[x.length], logY = new float[x.length];
            float[] dx = new float[x.length], dxLog = new float[x.length];
            CpuSoftmax.softmax(x, y, s[0], s[1], s[2]);
            CpuSoftmax.logSoftmax(x, logY, s[0], s[1], s[2]);
            CpuSoftmax.softmaxBackward(dy, y, dx, s[0], s[1], s[2]);
            CpuSoftmax.logSoftmaxBackward(dy, logY, dxLog, s[0], s[1], s[2]);
            double[] expected = new double[x.length], expectedLog = new double[x.length];
            for (int[] row : rows(s)) {
                double dot = 0, sum = 0;
                for (int p : row) {
                    dot += (double) dy[p] * y[p];
                    sum += dy[p];
                }
                for (int p : row) {
                    expected[p] = y[p] * (dy[p] - dot);               // y·(dy − Σ dy·y)
                    expectedLog[p] = dy[p] - Math.exp(logY[p]) * sum; // dy − exp(y)·Σ dy
                }
            }
            assertClose("softmax dx " + Arrays.toString(s), expected, dx, 1e-6, 1e-5);
            assertClose("logSoftmax dx " + Arrays.toString(s), expectedLog, dxLog, 1e-6, 1e-5);
        }
    }

    @Test
    void backwardsMatchFiniteDifferences() {
        int[] s = {2, 5, 3};
        float[] x = uniform(4, 30, -2, 2), r = uniform(5, 30, -1, 1);   // L = Σ y·r
        float[] y = new float[30], dx = new float[30];
        CpuSoftmax.softmax(x, y, s[0], s[1], s[2]);
        CpuSoftmax.softmaxBackward(r, y, dx, s[0], s[1], s[2]);
        double[] numeric = numericGradient(x, 1e-3, () -> {
            CpuSoftmax.softmax(x, y, s[0], s[1], s[2]);
            return dot(y, r);
        });
        assertClose("softmax dx vs finite differences", numeric, dx, 1e-3, 1e-2);

        CpuSoftmax.logSoftmax(x, y, s[0], s[1], s[2]);
        CpuSoftmax.logSoftmaxBackward(r, y, dx, s[0], s[1], s[2]);
        numeric = numericGradient(x, 1e-3, () -> {
            CpuSoftmax.logSoftmax(x, y, s[0], s[1], s[2]);
            return dot(y, r);
        });
        assertClose("logSoftmax dx vs finite differences", numeric, dx, 1e-3, 1e-2);
    }

    @Test
    void twoRunsAreBitIdentical() {
        int outer = 37, axis = 101, inner = 3;
        float[] x = uniform(6, outer * axis * inner, -5, 5), dy = uniform(7, x.length, -1, 1);
        assertRunsAreBitIdentical(() -> {
            float[] y = new float[x.length], logY = new float[x.length];
            float[] dx = new float[x.length], dxLog = new float[x.length];
            CpuSoftmax.softmax(x, y, outer, axis, inner);
            CpuSoftmax.logSoftmax(x, logY, outer, axis, inner);
            CpuSoftmax.softmaxBackward(dy, y, dx, outer, axis, inner);
            CpuSoftmax.logSoftmaxBackward(dy, logY, dxLog, outer, axis, inner);
            return new float[][] {y, logY, dx, dxLog};
        }, "y", "logY", "dx", "dxLog");
    }

    /** Indices of each normalised row: row (o, i) holds (o·axis + j)·inner + i for j < axis. */
    private static int[][] rows(int[] s) {
        int outer = s[0], axis = s[1], inner = s[2];
        int[][] rows = new int[outer * inner][axis];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int j = 0; j < axis; j++) rows[o * inner + i][j] = (o * axis + j) * inner + i;
            }
        }
        return rows;
    }

    private static double[] naiveSoftmax(float[] x, int[] s) {
        double[] y = new double[x.length];
        for (int[] row : rows(s)) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p : row) max = Math.max(max, x[p]);
            for (int p : row) sum += Math.exp(x[p] - max);
            for (int p : row) y[p] = Math.exp(x[p] - max) / sum;
        }
        return y;
    }
}
