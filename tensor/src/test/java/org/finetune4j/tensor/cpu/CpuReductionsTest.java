package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.ReduceOp;
import org.junit.jupiter.api.Test;

/**
 * CpuReductions through CpuBackend: every subset of axes of rank-4 odd shapes against a naive
 * loop in double, keepDims on and off, negative axes, argmax ties, sumToShape and variance.
 * Tolerance: atol 1e-6 + rtol 1e-6 for SUM, MEAN and variance (double accumulation, one float
 * rounding); exact for MAX, MIN and argmax.
 */
class CpuReductionsTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    /** Odd sizes, and a size-1 dimension, which the kernel drops before merging. */
    private static final int[][] SHAPES = {{3, 5, 2, 7}, {2, 1, 5, 3}, {1, 4, 1, 9}};

    private static int[] axesOf(int subset, int rank) {
        return IntStream.range(0, rank).filter(a -> (subset >> a & 1) != 0).toArray();
    }

    /** Naive reduction: fold every input index into the output index with reduced axes at 0. */
    private static double[] naiveReduce(ReduceOp op, float[] x, int[] dims, int[] axes) {
        boolean[] red = new boolean[dims.length];
        for (int a : axes) red[a] = true;
        int[] outDims = dims.clone();
        for (int a : axes) outDims[a] = 1;
        int outSize = 1;
        for (int d : outDims) outSize *= d;
        double[] acc = new double[outSize];
        double init = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY
                : op == ReduceOp.MIN ? Double.POSITIVE_INFINITY : 0;
        Arrays.fill(acc, init);
        int count = 1;
        for (int a : axes) count *= dims[a];
        int[] idx = new int[dims.length];
        for (int flat = 0; flat < x.length; flat++) {
            int rest = flat;
            for (int i = dims.length - 1; i >= 0; i--) {
                idx[i] = rest % dims[i];
                rest /= dims[i];
            }
            int o = 0;
            for (int i = 0; i < dims.length; i++) o = o * outDims[i] + (red[i] ? 0 : idx[i]);
            switch (op) {
                case SUM, MEAN -> acc[o] += x[flat];
                case MAX -> acc[o] = Math.max(acc[o], x[flat]);
                case MIN -> acc[o] = Math.min(acc[o], x[flat]);
            }
        }
        if (op == ReduceOp.MEAN) for (int i = 0; i < outSize; i++) acc[i] /= count;
        return acc;
    }

    private static int[] keptDims(int[] dims, int[] axes, boolean keepDims) {
        boolean[] red = new boolean[dims.length];
        for (int a : axes) red[a] = true;
        return IntStream.range(0, dims.length)
                .filter(i -> keepDims || !red[i])
                .map(i -> red[i] ? 1 : dims[i])
                .toArray();
    }

    @Test
    void everyOpOverEverySubsetOfAxesMatchesNaiveLoop() {
        for (int[] dims : SHAPES) {
            int size = Shape.of(dims).size();
            float[] x = uniform(Arrays.hashCode(dims), size, -3, 3);
            for (ReduceOp op : ReduceOp.values()) {
                for (int subset = 0; subset < 16; subset++) {
                    int[] axes = axesOf(subset, 4);
                    double[] expected = naiveReduce(op, x, dims, axes);
                    for (boolean keep : new boolean[] {true, false}) {
                        Tensor y = CPU.reduce(op, Tensor.wrap(x, dims), axes, keep);
                        String what = op + " " + Arrays.toString(dims) + " axes "
                                + Arrays.toString(axes) + " keepDims " + keep;
                        assertArrayEquals(keptDims(dims, axes, keep), y.dims(), what + " shape");
                        double tol = op == ReduceOp.MAX || op == ReduceOp.MIN ? 0 : 1e-6;
                        assertClose(what, expected, y.toArray(), tol, tol);
                    }
                }
            }
        }
    }

    @Test
    void negativeAndUnorderedAxesMeanTheSameAxes() {
        int[] dims = {3, 5, 2, 7};
        Tensor x = Tensor.wrap(uniform(1, 210, -1, 1), dims);
        for (ReduceOp op : ReduceOp.values()) {
            float[] positive = CPU.reduce(op, x, new int[] {1, 3}, false).toArray();
            for (int[] same : new int[][] {{-1, -3}, {3, 1}, {1, -1}}) {
                assertArrayEquals(positive, CPU.reduce(op, x, same, false).toArray(),
                        op + " " + Arrays.toString(same));
            }
        }
    }

    @Test
    void duplicateOrOutOfRangeAxesAreErrors() {
        Tensor x = Tensor.zeros(3, 5, 2, 7);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> CPU.reduce(ReduceOp.SUM, x, new int[] {1, -3}, false));
        assertTrue(twice.getMessage().contains("twice")
                && twice.getMessage().contains("[3, 5, 2, 7]"), twice.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CPU.reduce(ReduceOp.MAX, x, new int[] {2, 2}, true));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> CPU.reduce(ReduceOp.MEAN, x, new int[] {4}, false));
        assertTrue(range.getMessage().contains("axis 4"), range.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CPU.reduce(ReduceOp.MIN, x, new int[] {-5}, false));
    }

    @Test
    void scalarsAndLargeInputsReduce() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(2.5f, CPU.reduce(ReduceOp.SUM, s, new int[0], false).item());
        assertEquals(Shape.SCALAR, CPU.reduce(ReduceOp.MEAN, s, new int[0], true).shape());
        int n = 40_001;
        float[] x = uniform(2, n, -1, 1);
        double sum = 0;
        for (float v : x) sum += v;
        Tensor big = Tensor.wrap(x, n);
        assertEquals((float) sum, CPU.reduce(ReduceOp.SUM, big, new int[] {0}, false).item());
        float mean = CPU.reduce(ReduceOp.MEAN, big, new int[] {-1}, false).item();
        assertEquals((float) (sum / n), mean, 1e-9f);
    }

    @Test
    void argmaxTakesTheFirstOfTiedMaxima() {
        Tensor x = Tensor.of(new float[] {1, 3, 3,
                                          2, 2, 1,
                                          5, 5, 5}, 3, 3);
        assertArrayEquals(new float[] {1, 0, 0}, CPU.argmax(x, 1).toArray());
        assertArrayEquals(new float[] {2, 2, 2}, CPU.argmax(x, 0).toArray());
        assertArrayEquals(new float[] {1, 0, 0}, CPU.argmax(x, -1).toArray());
        assertEquals(Shape.of(3), CPU.argmax(x, 0).shape());
    }

    @Test
    void argmaxAlongAMiddleAxisMatchesNaiveLoop() {
        int[] dims = {3, 6, 5};
        float[] x = KernelTestKit.distinct(3, 90, 1);
        for (int i = 0; i < x.length; i += 4) x[i] = 50f;      // ties, so first-wins matters
        Tensor y = CPU.argmax(Tensor.wrap(x, dims), 1);
        assertArrayEquals(new int[] {3, 5}, y.dims());
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 5; i++) {
                int best = 0;
                for (int a = 1; a < 6; a++) {
                    if (x[(o * 6 + a) * 5 + i] > x[(o * 6 + best) * 5 + i]) best = a;
                }
                assertEquals(best, y.get(o, i), "argmax at (" + o + ", :, " + i + ")");
            }
        }
    }

    @Test
    void sumToShapeUndoesTypicalBroadcasts() {
        int[][][] cases = {
                {{2, 3, 4}, {3, 4}},
                {{2, 3, 4}, {3, 1}},
                {{2, 3, 4}, {1, 3, 1}},
                {{2, 3, 4}, {4}},
                {{2, 3, 4}, {}},
                {{2, 3, 4}, {1}},
                {{4, 3, 5, 6}, {3, 1, 1}},                          // per-channel bias of NCHW
                {{4, 3, 5, 6}, {1, 3, 1, 1}},
                {{2, 1, 4}, {1, 1, 4}},                             // a size-1 dimension already
                {{5, 7}, {5, 7}}};
        for (int[][] c : cases) {
            int[] from = c[0];
            int[] to = c[1];
            float[] x = uniform(4, Shape.of(from).size(), -1, 1);
            Tensor y = CPU.sumToShape(Tensor.wrap(x, from), Shape.of(to));
            String what = "sumToShape " + Arrays.toString(from) + "→" + Arrays.toString(to);
            assertArrayEquals(to, y.dims(), what + " shape");
            assertClose(what, naiveSumTo(x, from, to), y.toArray(), 1e-6, 1e-6);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.sumToShape(Tensor.zeros(2, 3), Shape.of(2)));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[2, 3]"),
                e.getMessage());
    }

    /** out[j] = Σ x[i] over every i that broadcasting maps onto j. */
    private static double[] naiveSumTo(float[] x, int[] from, int[] to) {
        double[] y = new double[Shape.of(to).size()];
        int lead = from.length - to.length;
        int[] idx = new int[from.length];
        for (int flat = 0; flat < x.length; flat++) {
            int rest = flat;
            for (int i = from.length - 1; i >= 0; i--) {
                idx[i] = rest % from[i];
                rest /= from[i];
            }
            int o = 0;
            for (int i = 0; i < to.length; i++) o = o * to[i] + (to[i] == 1 ? 0 : idx[i + lead]);
            y[o] += x[flat];
        }
        return y;
    }

    @Test
    void varianceWithCorrectionZeroAndOne() {
        int[] dims = {3, 5, 4};
        float[] x = uniform(5, 60, -2, 2);
        int[][] axesSets = {{0, 2}, {1}, {0, 1, 2}, {-1}};
        for (int[] axes : axesSets) {
            int[] norm = Arrays.stream(axes).map(a -> a < 0 ? a + 3 : a).toArray();
            double[] mean = naiveReduce(ReduceOp.MEAN, x, dims, norm);
            double[] sq = new double[x.length];
            int count = 1;
            for (int a : norm) count *= dims[a];
            for (int flat = 0; flat < x.length; flat++) {
                int o = meanIndex(flat, dims, norm);
                sq[flat] = (x[flat] - mean[o]) * (x[flat] - mean[o]);
            }
            for (int correction = 0; correction <= 1; correction++) {
                double[] expected = new double[mean.length];
                for (int flat = 0; flat < x.length; flat++) {
                    expected[meanIndex(flat, dims, norm)] += sq[flat];
                }
                for (int i = 0; i < expected.length; i++) expected[i] /= count - correction;
                for (boolean keep : new boolean[] {true, false}) {
                    Tensor v = CPU.variance(Tensor.wrap(x, dims), axes, keep, correction);
                    String what = "variance axes " + Arrays.toString(axes) + " correction "
                            + correction + " keepDims " + keep;
                    assertArrayEquals(keptDims(dims, norm, keep), v.dims(), what + " shape");
                    assertClose(what, expected, v.toArray(), 1e-6, 1e-5);
                }
            }
        }
        Tensor pair = Tensor.of(new float[] {1, 3}, 2);
        assertEquals(1f, CPU.variance(pair, new int[] {0}, false, 0).item());
        assertEquals(2f, CPU.variance(pair, new int[] {0}, false, 1).item());
    }

    /** Flat index into the keepDims-shaped reduction output of input position `flat`. */
    private static int meanIndex(int flat, int[] dims, int[] axes) {
        boolean[] red = new boolean[dims.length];
        for (int a : axes) red[a] = true;
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = flat % dims[i];
            flat /= dims[i];
        }
        int o = 0;
        for (int i = 0; i < dims.length; i++) {
            o = red[i] ? o : o * dims[i] + idx[i];                // reduced axes have size 1
        }
        return o;
    }
}
