package org.finetune4j.tensor.cpu;

import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;

/**
 * Pointwise kernels on host arrays. Each op switches OUTSIDE its loop and then runs one tight
 * loop, which C2 vectorises; a lambda per element would not be. Large arrays are split into
 * contiguous chunks over Parallel's pool. CPU twin of elementwise.cu.
 */
public final class CpuElementwise {
    /** Below this many elements a loop stays on one thread (fork cost ~ microseconds). */
    static final int PARALLEL_MIN = 1 << 15;

    private CpuElementwise() {}

    public static void unary(UnaryOp op, float[] x, float[] y, int n) {
        if (n < PARALLEL_MIN) {
            unaryRange(op, x, y, 0, n);
        } else {
            Parallel.forChunks(0, n, (lo, hi) -> unaryRange(op, x, y, lo, hi));
        }
    }

    private static void unaryRange(UnaryOp op, float[] x, float[] y, int lo, int hi) {
        switch (op) {
            case NEG -> { for (int i = lo; i < hi; i++) y[i] = -x[i]; }
            case EXP -> { for (int i = lo; i < hi; i++) y[i] = (float) Math.exp(x[i]); }
            case LOG -> { for (int i = lo; i < hi; i++) y[i] = (float) Math.log(x[i]); }
            case SQRT -> { for (int i = lo; i < hi; i++) y[i] = (float) Math.sqrt(x[i]); }
            case ABS -> { for (int i = lo; i < hi; i++) y[i] = Math.abs(x[i]); }
            case SQUARE -> { for (int i = lo; i < hi; i++) y[i] = x[i] * x[i]; }
            case RECIPROCAL -> { for (int i = lo; i < hi; i++) y[i] = 1f / x[i]; }
            case SIGN -> { for (int i = lo; i < hi; i++) y[i] = Math.signum(x[i]); }
            case RELU -> { for (int i = lo; i < hi; i++) y[i] = Math.max(x[i], 0f); }
            case RELU6 -> { for (int i = lo; i < hi; i++) y[i] = Math.min(Math.max(x[i], 0f), 6f); }
            case SIGMOID -> { for (int i = lo; i < hi; i++) y[i] = sigmoid(x[i]); }
            case TANH -> { for (int i = lo; i < hi; i++) y[i] = (float) Math.tanh(x[i]); }
        }
    }

    /**
     * 1 when d > 0, else 0, without a branch. Masks of random data are unpredictable, and a
     * branch per element measured 7.5 ns against 0.65 ns for this form, which C2 vectorises.
     * Exact: for floats a > b implies a − b > 0 (gradual underflow), and the smallest positive
     * float times MAX_VALUE² is far above 1. NaN in gives NaN out.
     */
    static float step(float d) {
        return Math.min(1f, Math.max(0f, d) * Float.MAX_VALUE * Float.MAX_VALUE);
    }

    /** dx = dy · f'(x) in one pass, in terms of x and y = f(x) (the fused backward of unary). */
    public static void unaryBackward(UnaryOp op, float[] x, float[] y, float[] dy, float[] dx, int n) {
        if (n < PARALLEL_MIN) {
            unaryBackwardRange(op, x, y, dy, dx, 0, n);
        } else {
            Parallel.forChunks(0, n, (lo, hi) -> unaryBackwardRange(op, x, y, dy, dx, lo, hi));
        }
    }

    private static void unaryBackwardRange(UnaryOp op, float[] x, float[] y, float[] dy, float[] dx,
                                           int lo, int hi) {
        switch (op) {
            case NEG -> { for (int i = lo; i < hi; i++) dx[i] = -dy[i]; }
            case EXP -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * y[i]; }
            case LOG -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] / x[i]; }
            case SQRT -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] / y[i] * 0.5f; }
            case ABS -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * (step(x[i]) - step(-x[i])); }
            case SQUARE -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * x[i] * 2f; }
            case RECIPROCAL -> { for (int i = lo; i < hi; i++) dx[i] = -(dy[i] * (y[i] * y[i])); }
            case SIGN -> java.util.Arrays.fill(dx, lo, hi, 0f);
            case RELU -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * step(x[i]); }
            case RELU6 -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * (step(x[i]) * step(6f - x[i])); }
            case SIGMOID -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * (y[i] * (1f - y[i])); }
            case TANH -> { for (int i = lo; i < hi; i++) dx[i] = dy[i] * (1f - y[i] * y[i]); }
        }
    }

    /** Logistic function without overflow for large |x|. */
    private static float sigmoid(float x) {
        if (x >= 0) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    public static void scalar(ScalarOp op, float[] x, float s, float[] y, int n) {
        if (n < PARALLEL_MIN) {
            scalarRange(op, x, s, y, 0, n);
        } else {
            Parallel.forChunks(0, n, (lo, hi) -> scalarRange(op, x, s, y, lo, hi));
        }
    }

    private static void scalarRange(ScalarOp op, float[] x, float s, float[] y, int lo, int hi) {
        switch (op) {
            case ADD -> { for (int i = lo; i < hi; i++) y[i] = x[i] + s; }
            case MUL -> { for (int i = lo; i < hi; i++) y[i] = x[i] * s; }
            case RSUB -> { for (int i = lo; i < hi; i++) y[i] = s - x[i]; }
            case POW -> pow(x, s, y, lo, hi);
            case MAX -> { for (int i = lo; i < hi; i++) y[i] = Math.max(x[i], s); }
            case MIN -> { for (int i = lo; i < hi; i++) y[i] = Math.min(x[i], s); }
            case GT -> { for (int i = lo; i < hi; i++) y[i] = step(x[i] - s); }
            case GE -> { for (int i = lo; i < hi; i++) y[i] = 1f - step(s - x[i]); }
            case LT -> { for (int i = lo; i < hi; i++) y[i] = step(s - x[i]); }
            case LE -> { for (int i = lo; i < hi; i++) y[i] = 1f - step(x[i] - s); }
            case EQ -> { for (int i = lo; i < hi; i++) y[i] = 1f - step(Math.abs(x[i] - s)); }
        }
    }

    private static void pow(float[] x, float s, float[] y, int lo, int hi) {
        if (s == 2f) {
            for (int i = lo; i < hi; i++) y[i] = x[i] * x[i];
        } else if (s == 1f) {
            System.arraycopy(x, lo, y, lo, hi - lo);
        } else {
            for (int i = lo; i < hi; i++) y[i] = (float) Math.pow(x[i], s);
        }
    }

    public static void clamp(float[] x, float lo, float hi, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], lo), hi);
    }

    /** y = a ∘ b with broadcasting; y has the broadcast shape `out`. */
    public static void binary(BinaryOp op, float[] a, Shape as, float[] b, Shape bs, float[] y, Shape out) {
        int n = out.size();
        if (as.equals(out) && bs.equals(out)) {
            if (n < PARALLEL_MIN) {
                run(op, a, 0, 1, b, 0, 1, y, 0, n);
            } else {
                Parallel.forChunks(0, n, (lo, hi) -> run(op, a, lo, 1, b, lo, 1, y, lo, hi - lo));
            }
            return;
        }
        Strided p = Strided.plan(out, as, bs);
        int inner = p.innerSize();
        int rows = p.outerCount();
        int sa = p.innerStride(0);
        int sb = p.innerStride(1);
        Parallel.Chunk body = (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                run(op, a, p.offset(0, r), sa, b, p.offset(1, r), sb, y, r * inner, inner);
            }
        };
        if ((long) rows * inner < PARALLEL_MIN) body.run(0, rows);
        else Parallel.forChunks(0, rows, body);
    }

    /** One inner run: y[yo + i] = a[ao + i·sa] ∘ b[bo + i·sb] for i < len; strides are 0 or 1. */
    private static void run(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb,
                            float[] y, int yo, int len) {
        if (sa == 1 && sb == 1) {
            contiguous(op, a, ao, b, bo, y, yo, len);
            return;
        }
        if (sa == 1 && sb == 0) {
            rightScalar(op, a, ao, b[bo], y, yo, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            y[yo + i] = apply(op, a[ao + i * sa], b[bo + i * sb]);
        }
    }

    private static void contiguous(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] / b[bo + i]; }
            default -> { for (int i = 0; i < len; i++) y[yo + i] = apply(op, a[ao + i], b[bo + i]); }
        }
    }

    private static void rightScalar(BinaryOp op, float[] a, int ao, float s, float[] y, int yo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] + s; }
            case SUB -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] - s; }
            case MUL -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] * s; }
            case DIV -> { for (int i = 0; i < len; i++) y[yo + i] = a[ao + i] / s; }
            default -> { for (int i = 0; i < len; i++) y[yo + i] = apply(op, a[ao + i], s); }
        }
    }

    static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case GT -> step(a - b);
            case GE -> 1f - step(b - a);
            case LT -> step(b - a);
            case LE -> 1f - step(a - b);
            case EQ -> 1f - step(Math.abs(a - b));
            case NE -> step(Math.abs(a - b));
        };
    }

    /** y = mask ≠ 0 ? a : b, all broadcast to `out`. */
    public static void where(float[] mask, Shape ms, float[] a, Shape as, float[] b, Shape bs, float[] y, Shape out) {
        Strided p = Strided.plan(out, ms, as, bs);
        int inner = p.innerSize();
        int sm = p.innerStride(0);
        int sa = p.innerStride(1);
        int sb = p.innerStride(2);
        for (int r = 0, rows = p.outerCount(); r < rows; r++) {
            int mo = p.offset(0, r);
            int ao = p.offset(1, r);
            int bo = p.offset(2, r);
            int yo = r * inner;
            for (int i = 0; i < inner; i++) {
                y[yo + i] = mask[mo + i * sm] != 0f ? a[ao + i * sa] : b[bo + i * sb];
            }
        }
    }

    /** Copies x broadcast to `out` into y. */
    public static void broadcast(float[] x, Shape xs, float[] y, Shape out) {
        Strided p = Strided.plan(out, xs);
        int inner = p.innerSize();
        int sx = p.innerStride(0);
        for (int r = 0, rows = p.outerCount(); r < rows; r++) {
            int xo = p.offset(0, r);
            int yo = r * inner;
            if (sx == 1) {
                System.arraycopy(x, xo, y, yo, inner);
            } else {
                java.util.Arrays.fill(y, yo, yo + inner, x[xo]);
            }
        }
    }
}
