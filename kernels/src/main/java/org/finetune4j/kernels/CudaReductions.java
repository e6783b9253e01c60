package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import java.util.Arrays;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ReductionKernels;
import org.finetune4j.tensor.cpu.CpuReductions;

/**
 * ReductionKernels on reduce.cu (twins: CpuReductions, CpuSoftmax, CpuBackend.variance). Every
 * kernel works on rows: the reduced axes (or the softmax axis) are moved last with one
 * strided_copy into a temporary, which is skipped when they already are last; softmax results
 * are moved back the same way. Empty reductions are answered on the host as the twin does.
 */
final class CudaReductions implements ReductionKernels {
    private static final PtxModule M = PtxModule.REDUCE;
    private final CudaContext ctx;
    private final CudaMovement movement;

    CudaReductions(CudaContext ctx) {
        this.ctx = ctx;
        this.movement = new CudaMovement(ctx);
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
        String name = "reduce " + op;
        Shape s = x.shape();
        Tensor y = CudaTensors.empty(ctx, CpuReductions.reducedShape(s, axes, keepDims));
        boolean[] red = mask(s, axes);
        int count = count(s, red);
        if (count == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN) && y.size() > 0) {
            throw new IllegalArgumentException("reduce " + op + ": an empty axis has no extreme"
                    + " (shape " + s + ")");
        }
        if (y.size() == 0) return y;
        if (count == 0) {                                     // sum of nothing 0, mean NaN
            Launches.fill(ctx, y, op == ReduceOp.MEAN ? Float.NaN : 0f, name);
            return y;
        }
        Tensor rows = reducedLast(name, x, red);
        Launches.rows(ctx, M, KernelSymbols.reduceRows(op), y.size(), ptr(ctx, rows, name, "x"),
                ptr(ctx, y, name, "y"), y.size(), count);
        releaseTemp(rows, x);
        return y;
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        int ax = x.shape().axis(axis);
        int outer = x.shape().outer(ax);
        int len = x.dim(ax);
        int inner = x.shape().inner(ax);
        if (len == 0 && outer * inner > 0) {
            throw new IllegalArgumentException("argmax over an empty axis");
        }
        Tensor y = CudaTensors.empty(ctx, CpuReductions.reducedShape(x.shape(), new int[] {ax},
                false));
        if (y.size() == 0) return y;
        Tensor rows = axisLast("argmax", x, outer, len, inner);
        Launches.rows(ctx, M, KernelSymbols.ARGMAX_ROWS, y.size(), ptr(ctx, rows, "argmax", "x"),
                ptr(ctx, y, "argmax", "y"), y.size(), len);
        releaseTemp(rows, x);
        return y;
    }

    @Override
    public Tensor sumToShape(Tensor x, Shape target) {
        if (!target.broadcastsTo(x.shape())) {
            throw new IllegalArgumentException("sumToShape: " + target + " does not broadcast to "
                    + x.shape());
        }
        int lead = x.rank() - target.rank();
        int[] axes = new int[x.rank()];
        int k = 0;
        for (int i = 0; i < x.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && x.dim(i) != 1)) axes[k++] = i;
        }
        return reduce(ReduceOp.SUM, x, Arrays.copyOf(axes, k), false).reshape(target);
    }

    @Override
    public Tensor variance(Tensor x, int[] axes, boolean keepDims, int correction) {
        Shape s = x.shape();
        Tensor y = CudaTensors.empty(ctx, CpuReductions.reducedShape(s, axes, keepDims));
        boolean[] red = mask(s, axes);
        int count = count(s, red);
        if (y.size() == 0) return y;
        if (count == 0) {                                     // the twin: 0 · 1/(0 − correction)
            Launches.fill(ctx, y, 0f * (1f / (0 - correction)), "variance");
            return y;
        }
        Tensor rows = reducedLast("variance", x, red);
        Launches.rows(ctx, M, KernelSymbols.VARIANCE_ROWS, y.size(),
                ptr(ctx, rows, "variance", "x"), ptr(ctx, y, "variance", "y"), y.size(), count,
                correction);
        releaseTemp(rows, x);
        return y;
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        return rowwise("softmax", KernelSymbols.SOFTMAX_ROWS, x, null, axis);
    }

    @Override
    public Tensor logSoftmax(Tensor x, int axis) {
        return rowwise("logSoftmax", KernelSymbols.LOG_SOFTMAX_ROWS, x, null, axis);
    }

    @Override
    public Tensor softmaxBackward(Tensor dy, Tensor y, int axis) {
        Launches.sameShape("softmaxBackward", dy, y);
        return rowwise("softmaxBackward", KernelSymbols.SOFTMAX_BACKWARD_ROWS, dy, y, axis);
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor dy, Tensor y, int axis) {
        Launches.sameShape("logSoftmaxBackward", dy, y);
        return rowwise("logSoftmaxBackward", KernelSymbols.LOG_SOFTMAX_BACKWARD_ROWS, dy, y, axis);
    }

    /**
     * Forward (b == null): kernel(x, out, rows, cols). Backward: kernel(dy = a, y = b, dx, rows,
     * cols). The axis is moved last for the kernel and the result moved back.
     */
    private Tensor rowwise(String op, String symbol, Tensor a, Tensor b, int axis) {
        Shape s = a.shape();
        int ax = s.axis(axis);
        int outer = s.outer(ax);
        int len = s.dim(ax);
        int inner = s.inner(ax);
        Launches.positive("softmax." + op, outer, len, inner);
        Tensor ar = axisLast(op, a, outer, len, inner);
        Tensor br = b == null ? null : axisLast(op, b, outer, len, inner);
        Shape rowShape = Shape.of(outer, inner, len);
        Tensor r = CudaTensors.empty(ctx, inner == 1 ? s : rowShape);
        int rows = outer * inner;
        if (b == null) {
            Launches.rows(ctx, M, symbol, rows, ptr(ctx, ar, op, "x"), ptr(ctx, r, op, "y"), rows,
                    len);
        } else {
            Launches.rows(ctx, M, symbol, rows, ptr(ctx, ar, op, "dy"), ptr(ctx, br, op, "y"),
                    ptr(ctx, r, op, "dx"), rows, len);
        }
        releaseTemp(ar, a);
        if (br != null) releaseTemp(br, b);
        if (inner == 1) return r;
        // (outer, inner, len) back to (outer, len, inner): output dim j reads r at stride 1
        int[] strides = {inner * len, 1, len};
        Tensor out = movement.stridedCopy(op, r, Shape.of(outer, len, inner), strides, 0);
        releaseTemp(r, null);
        return out.reshape(s);
    }

    /** x viewed as (outer, len, inner), copied to (outer, inner, len); x itself when inner == 1. */
    private Tensor axisLast(String op, Tensor x, int outer, int len, int inner) {
        if (inner == 1) return x;
        int[] strides = {len * inner, 1, inner};
        return movement.stridedCopy(op, x, Shape.of(outer, inner, len), strides, 0);
    }

    /** x with its kept axes first and reduced axes last (both in order); x when already so. */
    private Tensor reducedLast(String op, Tensor x, boolean[] red) {
        Shape s = x.shape();
        int r = s.rank();
        boolean seenReduced = false;
        boolean ordered = true;
        for (int i = 0; i < r; i++) {
            if (s.dim(i) == 1) continue;                      // size-1 dims do not move data
            if (red[i]) seenReduced = true;
            else if (seenReduced) ordered = false;
        }
        if (ordered) return x;
        int[] strides = s.strides();
        int[] dims = new int[r];
        int[] from = new int[r];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < r; i++) {
                if (red[i] == (pass == 1)) {
                    dims[k] = s.dim(i);
                    from[k++] = strides[i];
                }
            }
        }
        return movement.stridedCopy(op, x, Shape.of(dims), from, 0);
    }

    private static boolean[] mask(Shape s, int[] axes) {
        boolean[] red = new boolean[s.rank()];
        for (int a : axes) red[s.axis(a)] = true;            // duplicates: reducedShape threw
        return red;
    }

    private static int count(Shape s, boolean[] red) {
        int c = 1;
        for (int i = 0; i < red.length; i++) if (red[i]) c *= s.dim(i);
        return c;
    }

    /** Returns a temporary's block to the pool now (queued users run first: one stream). */
    private static void releaseTemp(Tensor temp, Tensor original) {
        if (temp != original && temp.storage() instanceof CudaStorage st) st.free();
    }
}
