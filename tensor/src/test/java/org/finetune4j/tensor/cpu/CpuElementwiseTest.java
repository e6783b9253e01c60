package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertClose;
import static org.finetune4j.tensor.cpu.KernelTestKit.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * CpuElementwise (and CpuBackend's unary/scalar/binary/where/clamp/broadcastTo entry points)
 * against naive per-element loops in double, on odd sizes that include 40,001 elements, above
 * PARALLEL_MIN, so the chunked path runs too. Broadcasting is checked against an index-by-index
 * loop written here, independent of Shape and Strided. Tolerance: atol 1e-6 + rtol 1e-6 for
 * arithmetic (one float rounding of a double result); exact for comparisons, max, min, where.
 */
class CpuElementwiseTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    private static final int[] SIZES = {1, 7, 33, 1021, 40_001};
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-6;

    /** Broadcast pairs: the ones named in the brief, rank 0, size 1, stride-0 inner runs, empty. */
    private static final List<int[][]> PAIRS = List.of(
            new int[][] {{2, 3, 4}, {3, 1}},
            new int[][] {{2, 1, 4}, {1, 3, 1}},
            new int[][] {{5}, {3, 5}},
            new int[][] {{1}, {2, 3}},
            new int[][] {{2, 3, 1, 1}, {2, 3, 5, 7}},
            new int[][] {{}, {2, 3}},
            new int[][] {{}, {}},
            new int[][] {{1}, {}},
            new int[][] {{1, 1, 1}, {1}},
            new int[][] {{1, 1}, {1, 1}},
            new int[][] {{4, 1, 3}, {4, 5, 3}},
            new int[][] {{1, 3, 1, 5}, {2, 1, 4, 1}},
            new int[][] {{3, 1}, {3, 4}},
            new int[][] {{1, 6}, {6}},
            new int[][] {{2, 3, 4}, {2, 3, 4}},
            new int[][] {{0, 3}, {3}},
            new int[][] {{2, 0}, {2, 1}},
            new int[][] {{7, 6001}, {6001}},                     // 42,007 elements: parallel rows
            new int[][] {{211, 1}, {1, 199}},                    // 41,989 elements, stride-0 inner
            new int[][] {{40_001}, {40_001}});                   // same shape: parallel flat loop

    /** Multiples of `step` in [lo, hi]: gives exact ties for the comparison ops. */
    private static float[] quantized(long seed, int n, double lo, double hi, double step) {
        float[] a = uniform(seed, n, lo, hi);
        for (int i = 0; i < n; i++) a[i] = (float) (Math.rint(a[i] / step) * step);
        return a;
    }

    private static float[] garbage(int n) {
        float[] y = new float[n];
        Arrays.fill(y, Float.NaN);                               // must all be overwritten
        return y;
    }

    // ---------------------------------------------------------------- references

    private static double unaryRef(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1 / x;
            case SIGN -> Math.signum(x);
            case RELU -> Math.max(x, 0);
            case RELU6 -> Math.min(Math.max(x, 0), 6);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    private static double scalarRef(ScalarOp op, double x, double s) {
        return switch (op) {
            case ADD -> x + s;
            case MUL -> x * s;
            case RSUB -> s - x;
            case POW -> Math.pow(x, s);
            case MAX -> Math.max(x, s);
            case MIN -> Math.min(x, s);
            case GT -> x > s ? 1 : 0;
            case GE -> x >= s ? 1 : 0;
            case LT -> x < s ? 1 : 0;
            case LE -> x <= s ? 1 : 0;
            case EQ -> x == s ? 1 : 0;
        };
    }

    private static double binaryRef(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
        };
    }

    /** Inputs inside each op's domain, kept finite; exact zeros where the op has a kink there. */
    private static float[] unaryInput(UnaryOp op, long seed, int n) {
        return switch (op) {
            case LOG, SQRT -> uniform(seed, n, 1e-3, 9);
            case RECIPROCAL -> {
                float[] x = uniform(seed, n, 0.05, 4);
                for (int i = 0; i < n; i += 2) x[i] = -x[i];
                yield x;
            }
            default -> {
                float[] x = uniform(seed, n, -9, 9);
                for (int i = 0; i < n; i += 17) x[i] = 0f;
                yield x;
            }
        };
    }

    // ---------------------------------------------------------------- naive broadcasting

    private static int[] broadcastDims(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static int size(int[] dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Row-major multi-index of flat position `flat` in `dims`. */
    private static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = flat % dims[i];
            flat /= dims[i];
        }
        return idx;
    }

    /** Flat position in an operand of dims `d`, right-aligned under output index `out`. */
    private static int operandOffset(int[] out, int[] d) {
        int off = 0;
        int lead = out.length - d.length;
        for (int i = 0; i < d.length; i++) {
            off = off * d[i] + (d[i] == 1 ? 0 : out[i + lead]);
        }
        return off;
    }

    private static double[] naiveBinary(BinaryOp op, float[] a, int[] ad, float[] b, int[] bd) {
        int[] od = broadcastDims(ad, bd);
        double[] y = new double[size(od)];
        for (int i = 0; i < y.length; i++) {
            int[] idx = unravel(i, od);
            y[i] = binaryRef(op, a[operandOffset(idx, ad)], b[operandOffset(idx, bd)]);
        }
        return y;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void everyUnaryOpMatchesNaiveLoopOnOddSizes() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                float[] x = unaryInput(op, 100 + n, n);
                float[] y = garbage(n);
                CpuElementwise.unary(op, x, y, n);
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) expected[i] = unaryRef(op, x[i]);
                assertClose(op + " n=" + n, expected, y, ATOL, RTOL);
            }
        }
    }

    @Test
    void unaryThroughTheBackendKeepsTheShape() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0, 0.5f, 7, 3}, 2, 3, 1);
        Tensor y = CPU.unary(UnaryOp.RELU6, x);
        assertEquals(x.shape(), y.shape());
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 6, 3}, y.toArray());
        assertArrayEquals(new float[] {-1, -1, 0, 1, 1, 1}, CPU.unary(UnaryOp.SIGN, x).toArray());
        assertEquals(0, CPU.unary(UnaryOp.EXP, Tensor.zeros(0, 4)).size());
    }

    @Test
    void everyScalarOpMatchesNaiveLoopOnOddSizes() {
        float[] scalars = {-1.5f, 0f, 0.5f, 2f};
        for (ScalarOp op : ScalarOp.values()) {
            if (op == ScalarOp.POW) continue;                      // its own test: domain
            for (int n : SIZES) {
                float[] x = quantized(200 + n, n, -4, 4, 0.25);      // ties with every scalar
                for (float s : scalars) {
                    float[] y = garbage(n);
                    CpuElementwise.scalar(op, x, s, y, n);
                    double[] expected = new double[n];
                    for (int i = 0; i < n; i++) expected[i] = scalarRef(op, x[i], s);
                    assertClose(op + " s=" + s + " n=" + n, expected, y, ATOL, RTOL);
                }
            }
        }
    }

    @Test
    void powMatchesMathPowIncludingItsShortcuts() {
        float[] exponents = {2f, 1f, 0.5f, 0f, 3f, -1f, -1.5f, 2.5f};   // 2, 1, 0.5: shortcuts
        for (int n : SIZES) {
            float[] positive = uniform(300 + n, n, 0.05, 4);
            float[] signed = quantized(400 + n, n, -4, 4, 0.25);
            for (float s : exponents) {
                boolean integral = s == Math.rint(s) && s >= 0;
                float[] x = integral ? signed : positive;             // x^s is real for these
                float[] y = garbage(n);
                CpuElementwise.scalar(ScalarOp.POW, x, s, y, n);
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) expected[i] = Math.pow(x[i], s);
                assertClose("POW s=" + s + " n=" + n, expected, y, ATOL, RTOL);
            }
        }
    }

    @Test
    void everyBinaryOpMatchesNaiveLoopOnSameShapes() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                float[] a = quantized(500 + n, n, -3, 3, 0.5);
                float[] b = divisor(op, 600 + n, n);
                Tensor y = CPU.binary(op, Tensor.wrap(a, n), Tensor.wrap(b, n));
                assertClose(op + " n=" + n, naiveBinary(op, a, new int[] {n}, b, new int[] {n}),
                        y.toArray(), ATOL, RTOL);
            }
        }
    }

    /** Quantized values, ties with `a` included; never 0 when dividing. */
    private static float[] divisor(BinaryOp op, long seed, int n) {
        float[] b = quantized(seed, n, -3, 3, 0.5);
        if (op == BinaryOp.DIV) {
            for (int i = 0; i < n; i++) if (b[i] == 0f) b[i] = 1.5f;
        }
        return b;
    }

    @Test
    void everyBinaryOpBroadcastsLikeTheNaiveLoop() {
        for (int[][] pair : PAIRS) {
            for (int order = 0; order < 2; order++) {
                int[] ad = pair[order];
                int[] bd = pair[1 - order];
                float[] a = quantized(700 + size(ad), size(ad), -3, 3, 0.5);
                for (BinaryOp op : BinaryOp.values()) {
                    float[] b = divisor(op, 800 + size(bd), size(bd));
                    Tensor y = CPU.binary(op, Tensor.wrap(a, ad), Tensor.wrap(b, bd));
                    String what = op + " " + Arrays.toString(ad) + "∘" + Arrays.toString(bd);
                    assertArrayEquals(broadcastDims(ad, bd), y.dims(), what + " shape");
                    assertClose(what, naiveBinary(op, a, ad, b, bd), y.toArray(), ATOL, RTOL);
                }
            }
        }
    }

    @Test
    void stridedPlanMergesAPerChannelBroadcastIntoThreeDimensions() {
        Strided p = Strided.plan(Shape.of(4, 3, 5, 7), Shape.of(4, 3, 5, 7), Shape.of(1, 3, 1, 1));
        assertArrayEquals(new int[] {4, 3, 35}, p.dims);
        assertEquals(35, p.innerSize());
        assertEquals(12, p.outerCount());
        assertEquals(1, p.innerStride(0));
        assertEquals(0, p.innerStride(1));
        for (int row = 0; row < 12; row++) {                 // row = (n, c)
            assertEquals(row * 35, p.offset(0, row), "x offset of row " + row);
            assertEquals(row % 3, p.offset(1, row), "bias offset of row " + row);
        }
        assertArrayEquals(new int[] {24}, Strided.plan(Shape.of(2, 3, 4), Shape.of(2, 3, 4)).dims);
        assertArrayEquals(new int[] {1}, Strided.plan(Shape.SCALAR, Shape.SCALAR).dims);
        assertArrayEquals(new int[] {5}, Strided.plan(Shape.of(1, 5, 1), Shape.of(5, 1)).dims);
    }

    @Test
    void broadcastErrorNamesTheOpAndBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.binary(BinaryOp.SUB, Tensor.zeros(2, 3), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("sub") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[4]"), e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> CPU.where(Tensor.zeros(3), Tensor.zeros(2, 3), Tensor.zeros(2, 2)));
        assertTrue(w.getMessage().contains("where") && w.getMessage().contains("[2, 2]"),
                w.getMessage());
    }

    @Test
    void broadcastToCopiesLikeTheNaiveLoop() {
        for (int[][] pair : PAIRS) {
            int[] from = pair[0];
            int[] to = broadcastDims(pair[0], pair[1]);
            float[] x = uniform(900 + size(from), size(from), -1, 1);
            Tensor y = CPU.broadcastTo(Tensor.wrap(x, from), Shape.of(to));
            double[] expected = new double[size(to)];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = x[operandOffset(unravel(i, to), from)];
            }
            String what = "broadcastTo " + Arrays.toString(from) + "→" + Arrays.toString(to);
            assertClose(what, expected, y.toArray(), 0, 0);
        }
        assertThrows(IllegalArgumentException.class,
                () -> CPU.broadcastTo(Tensor.zeros(3), Shape.of(3, 4)));
    }

    @Test
    void whereSelectsWithABroadcastMask() {
        int[][][] cases = {
                {{3, 1}, {2, 3, 4}, {}},
                {{2, 3, 4}, {4}, {3, 1}},
                {{}, {2, 2}, {2, 2}},
                {{1, 5}, {5, 1}, {1}},
                {{211, 1}, {1, 199}, {211, 199}}};
        for (int[][] c : cases) {
            int[] md = c[0];
            int[] ad = c[1];
            int[] bd = c[2];
            float[] mask = quantized(1000 + size(md), size(md), -1, 1, 1);  // −1, 0, 1; ≠ 0: true
            float[] a = uniform(1100 + size(ad), size(ad), 0, 1);
            float[] b = uniform(1200 + size(bd), size(bd), -1, 0);
            Tensor y = CPU.where(Tensor.wrap(mask, md), Tensor.wrap(a, ad), Tensor.wrap(b, bd));
            int[] od = broadcastDims(broadcastDims(md, ad), bd);
            double[] expected = new double[size(od)];
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unravel(i, od);
                boolean pick = mask[operandOffset(idx, md)] != 0f;
                expected[i] = pick ? a[operandOffset(idx, ad)] : b[operandOffset(idx, bd)];
            }
            String what = "where " + Arrays.toString(md) + " " + Arrays.toString(ad) + " "
                    + Arrays.toString(bd);
            assertArrayEquals(od, y.dims(), what + " shape");
            assertClose(what, expected, y.toArray(), 0, 0);
        }
    }

    @Test
    void clampMatchesMinOfMax() {
        for (int n : SIZES) {
            float[] x = uniform(1300 + n, n, -5, 5);
            Tensor y = CPU.clamp(Tensor.wrap(x, n), -1f, 2f);
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = Math.min(Math.max(x[i], -1.0), 2.0);
            assertClose("clamp n=" + n, expected, y.toArray(), 0, 0);
        }
        float[] edges = {-1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        assertArrayEquals(new float[] {-1, 2, -1, 2},
                CPU.clamp(Tensor.wrap(edges, 4), -1f, 2f).toArray());
    }

    @Test
    void sigmoidStaysFiniteAndSaturatesForLargeMagnitudes() {
        float[] x = {-Float.MAX_VALUE, -1e4f, -1000f, -100f, -88.8f, -30f, 0f,
                30f, 88.8f, 100f, 1000f, 1e4f, Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] y = garbage(x.length);
        CpuElementwise.unary(UnaryOp.SIGMOID, x, y, x.length);
        for (int i = 0; i < x.length; i++) {
            assertTrue(y[i] >= 0f && y[i] <= 1f, "sigmoid(" + x[i] + ") = " + y[i]);
            float expected = (float) unaryRef(UnaryOp.SIGMOID, x[i]);
            assertEquals(expected, y[i], 1e-7f, "sigmoid(" + x[i] + ")");
        }
        assertEquals(0f, y[0]);
        assertEquals(0.5f, y[6]);
        assertEquals(1f, y[12]);
        assertEquals(0f, y[13]);
        assertEquals(1f, y[14]);
        float[] tiny = {-100f};
        CpuElementwise.unary(UnaryOp.SIGMOID, tiny, tiny, 1);
        assertTrue(tiny[0] > 0f, "sigmoid(−100) = e^−100 ≈ 3.7e−44 is a float subnormal, not 0");
    }

    @Test
    void unaryAndScalarMayWriteInPlace() {
        float[] x = uniform(1400, 40_001, -2, 2);
        float[] expected = new float[x.length];
        CpuElementwise.unary(UnaryOp.TANH, x, expected, x.length);
        CpuElementwise.unary(UnaryOp.TANH, x, x, x.length);
        assertArrayEquals(expected, x);
        CpuElementwise.scalar(ScalarOp.MUL, expected, 3f, expected, expected.length);
        CpuElementwise.scalar(ScalarOp.MUL, x, 3f, x, x.length);
        assertArrayEquals(expected, x);
    }

    @Test
    void theParallelPathIsBitIdenticalToTheSerialPath() {
        // 40,001 elements run chunked; the same values in 1,000-element calls run on one thread
        int n = 40_001;
        float[] a = uniform(1500, n, -2, 2);
        float[] b = uniform(1501, n, 0.5, 2);
        float[] whole = CPU.binary(BinaryOp.DIV, Tensor.wrap(a, n), Tensor.wrap(b, n)).toArray();
        float[] pieces = new float[n];
        for (int lo = 0; lo < n; lo += 1000) {
            int len = Math.min(1000, n - lo);
            Tensor aPart = Tensor.wrap(Arrays.copyOfRange(a, lo, lo + len), len);
            Tensor bPart = Tensor.wrap(Arrays.copyOfRange(b, lo, lo + len), len);
            float[] part = CPU.binary(BinaryOp.DIV, aPart, bPart).toArray();
            System.arraycopy(part, 0, pieces, lo, len);
        }
        KernelTestKit.assertBitIdentical("div chunked vs serial", whole, pieces);
    }
}
