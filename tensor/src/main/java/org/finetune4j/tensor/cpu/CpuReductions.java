package org.finetune4j.tensor.cpu;

import java.util.Arrays;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.backend.ReduceOp;

/**
 * Reductions over any set of axes of a contiguous array. Adjacent axes with the same role (kept
 * or reduced) are merged first, so (n, c, h, w) summed over {0, 2, 3} becomes (n)(c)(h·w) and the
 * innermost loop runs over h·w contiguous values. SUM and MEAN accumulate in double in a fixed
 * order (deterministic). CPU twin of reduce.cu.
 */
public final class CpuReductions {
    private CpuReductions() {}

    /** Output shape of reducing `axes` (normalised, any order, duplicates rejected). */
    public static Shape reducedShape(Shape s, int[] axes, boolean keepDims) {
        boolean[] red = mask(s, axes);
        int[] d = s.dims();
        int[] out = new int[keepDims ? d.length : d.length - count(red)];
        for (int i = 0, k = 0; i < d.length; i++) {
            if (!red[i]) out[k++] = d[i];
            else if (keepDims) out[k++] = 1;
        }
        return Shape.of(out);
    }

    static boolean[] mask(Shape s, int[] axes) {
        boolean[] red = new boolean[s.rank()];
        for (int a : axes) {
            int n = s.axis(a);
            if (red[n]) throw new IllegalArgumentException("reduce: axis " + a + " given twice for shape " + s);
            red[n] = true;
        }
        return red;
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) if (v) c++;
        return c;
    }

    /** Reduces x (shape s) over `axes` into y (size = product of kept dims). */
    public static void reduce(ReduceOp op, float[] x, Shape s, int[] axes, float[] y) {
        boolean[] red = mask(s, axes);
        // merge runs of equal role; drop size-1 dims (they do not change the result)
        int[] d = s.dims();
        int[] md = new int[d.length + 1];
        boolean[] mr = new boolean[d.length + 1];
        int m = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == 1) continue;
            if (m > 0 && mr[m - 1] == red[i]) {
                md[m - 1] *= d[i];
            } else {
                md[m] = d[i];
                mr[m] = red[i];
                m++;
            }
        }
        if (m == 0) {                                  // a single element
            md[0] = 1;
            mr[0] = true;
            m = 1;
        }
        int outSize = 1;
        int count = 1;
        for (int i = 0; i < m; i++) {
            if (mr[i]) count *= md[i];
            else outSize *= md[i];
        }
        if (count == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN) && outSize > 0) {
            throw new IllegalArgumentException("reduce " + op + ": an empty axis has no extreme (shape " + s + ")");
        }
        double[] acc = new double[outSize];
        double init = switch (op) {
            case SUM, MEAN -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        Arrays.fill(acc, init);
        if (s.size() > 0) walk(op, x, Arrays.copyOf(md, m), Arrays.copyOf(mr, m), acc);
        double scale = op == ReduceOp.MEAN ? 1.0 / count : 1.0;   // mean of nothing is NaN, as PyTorch
        for (int i = 0; i < outSize; i++) y[i] = (float) (acc[i] * scale);
    }

    /** Walks merged dims md with roles mr; the innermost dim is a tight loop. */
    private static void walk(ReduceOp op, float[] x, int[] md, boolean[] mr, double[] acc) {
        int r = md.length;
        int[] outStride = new int[r];                  // stride in acc, 0 for reduced dims
        for (int i = r - 1, s = 1; i >= 0; i--) {
            outStride[i] = mr[i] ? 0 : s;
            if (!mr[i]) s *= md[i];
        }
        int inner = md[r - 1];
        boolean innerReduced = mr[r - 1];
        int rows = x.length / inner;
        int[] idx = new int[r];
        int o = 0;                                     // acc offset of the current row
        for (int row = 0; row < rows; row++) {
            int base = row * inner;
            if (innerReduced) {
                acc[o] = combineRun(op, acc[o], x, base, inner);
            } else {
                combineVector(op, acc, o, x, base, inner);
            }
            for (int i = r - 2; i >= 0; i--) {         // odometer over the outer dims
                idx[i]++;
                o += outStride[i];
                if (idx[i] < md[i]) break;
                o -= outStride[i] * md[i];
                idx[i] = 0;
            }
        }
    }

    private static double combineRun(ReduceOp op, double a, float[] x, int base, int len) {
        switch (op) {
            case SUM, MEAN -> {
                double s = 0;
                for (int i = 0; i < len; i++) s += x[base + i];
                return a + s;
            }
            case MAX -> {
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) m = Math.max(m, x[base + i]);
                return Math.max(a, m);
            }
            case MIN -> {
                float m = Float.POSITIVE_INFINITY;
                for (int i = 0; i < len; i++) m = Math.min(m, x[base + i]);
                return Math.min(a, m);
            }
        }
        throw new AssertionError(op);
    }

    private static void combineVector(ReduceOp op, double[] acc, int o, float[] x, int base, int len) {
        switch (op) {
            case SUM, MEAN -> { for (int i = 0; i < len; i++) acc[o + i] += x[base + i]; }
            case MAX -> { for (int i = 0; i < len; i++) acc[o + i] = Math.max(acc[o + i], x[base + i]); }
            case MIN -> { for (int i = 0; i < len; i++) acc[o + i] = Math.min(acc[o + i], x[base + i]); }
        }
    }

    /** Index of the max along the middle axis of (outer, axis, inner); first max wins. */
    public static void argmax(float[] x, float[] y, int outer, int axis, int inner) {
        if (axis == 0 && outer * inner > 0) throw new IllegalArgumentException("argmax over an empty axis");
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * axis * inner + i;
                int best = 0;
                float bv = x[base];
                for (int a = 1; a < axis; a++) {
                    float v = x[base + a * inner];
                    if (v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
                        bv = v;
                        best = a;
                    }
                }
                y[o * inner + i] = best;
            }
        }
    }
}
