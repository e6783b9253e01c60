package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import java.util.List;
import jcuda.Sizeof;
import jcuda.driver.CUDA_MEMCPY2D;
import jcuda.driver.CUmemorytype;
import jcuda.driver.JCudaDriver;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.MovementKernels;
import org.finetune4j.tensor.cpu.CpuMovement;

/**
 * MovementKernels on movement.cu (twin: CpuMovement). permute, broadcastTo and slice are one
 * strided_copy each. concat writes each part as a 2-D device copy (outer rows of part*inner
 * floats into rows of total*inner): strided_copy writes its output contiguously, which a part's
 * destination is not once outer > 1. Indices are checked on the host first, with the twin's
 * messages, because the kernels cannot throw.
 */
final class CudaMovement implements MovementKernels {
    private static final PtxModule M = PtxModule.MOVEMENT;
    private final CudaContext ctx;

    CudaMovement(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Tensor permute(Tensor x, int[] perm) {
        Shape out = CpuMovement.permutedShape(x.shape(), perm);
        int[] xStride = x.shape().strides();
        int[] s = new int[perm.length];                      // input stride of each output dim
        for (int k = 0; k < perm.length; k++) s[k] = xStride[perm[k]];
        return stridedCopy("permute", x, out, s, 0);
    }

    @Override
    public Tensor broadcastTo(Tensor x, Shape target) {
        if (!x.shape().broadcastsTo(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + x.shape()
                    + " cannot be broadcast to " + target);
        }
        return stridedCopy("broadcastTo", x, target, x.shape().broadcastStrides(target), 0);
    }

    @Override
    public Tensor slice(Tensor x, int axis, int start, int end) {
        int ax = x.shape().axis(axis);
        int len = x.dim(ax);
        if (start < 0 || end > len || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + end + ") outside axis "
                    + ax + " of shape " + x.shape());
        }
        Shape out = x.shape().with(ax, end - start);
        return stridedCopy("slice", x, out, x.shape().strides(), start * x.shape().inner(ax));
    }

    /** y (out, contiguous) = x read at offset + sum idx_d * strides[d]. */
    Tensor stridedCopy(String op, Tensor x, Shape out, int[] strides, int offset) {
        Tensor y = CudaTensors.empty(ctx, out);
        if (out.size() == 0) return y;
        int[] d = StridedDescriptors.single(op, out.dims(), strides, offset);
        Launches.elementwise(ctx, M, KernelSymbols.STRIDED_COPY, out.size(), ptr(ctx, x, op, "x"),
                d, ptr(ctx, y, op, "y"), out.size());
        return y;
    }

    @Override
    public Tensor concat(List<Tensor> xs, int axis) {
        Shape first = xs.get(0).shape();
        int ax = first.axis(axis);
        int total = 0;
        for (Tensor t : xs) {
            if (t.rank() != first.rank() || !t.shape().with(ax, 1).equals(first.with(ax, 1))) {
                throw new IllegalArgumentException("concat along axis " + ax + ": shape "
                        + t.shape() + " does not match " + first);
            }
            total += t.dim(ax);
        }
        Shape out = first.with(ax, total);
        Tensor y = CudaTensors.empty(ctx, out);
        int outer = first.outer(ax);
        int inner = first.inner(ax);
        int at = 0;
        for (int k = 0; k < xs.size(); k++) {
            Tensor t = xs.get(k);
            int part = t.dim(ax);
            if (t.size() > 0) {
                place(t, ptr(ctx, t, "concat", "xs[" + k + "]"), y, outer,
                        (long) part * inner, (long) total * inner, (long) at * inner);
            }
            at += part;
        }
        return y;
    }

    /** y rows of rowLen floats at column `at` = x's outer rows of width floats (2-D copy). */
    private void place(Tensor x, jcuda.driver.CUdeviceptr src, Tensor y, int outer, long width,
                       long rowLen, long at) {
        CUDA_MEMCPY2D c = new CUDA_MEMCPY2D();
        c.srcMemoryType = CUmemorytype.CU_MEMORYTYPE_DEVICE;
        c.srcDevice = src;
        c.srcPitch = width * Sizeof.FLOAT;
        c.dstMemoryType = CUmemorytype.CU_MEMORYTYPE_DEVICE;
        c.dstDevice = ptr(ctx, y, "concat", "result");
        c.dstXInBytes = at * Sizeof.FLOAT;                   // byte column, not a shifted pointer
        c.dstPitch = rowLen * Sizeof.FLOAT;
        c.WidthInBytes = width * Sizeof.FLOAT;
        c.Height = outer;
        ctx.makeCurrent();
        JCudaDriver.cuMemcpy2DAsync(c, ctx.stream());
        java.lang.ref.Reference.reachabilityFence(x);       // storage must outlive the enqueue
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        int ax = x.shape().axis(axis);
        int axisLen = x.dim(ax);
        checkIndex("indexSelect", index, axisLen);
        Tensor y = CudaTensors.empty(ctx, x.shape().with(ax, index.length));
        if (y.size() == 0) return y;
        CudaStorage idx = CudaTensors.ints(ctx, index);
        Launches.elementwise(ctx, M, KernelSymbols.INDEX_SELECT, y.size(),
                ptr(ctx, x, "indexSelect", "x"), x.shape().outer(ax), axisLen,
                x.shape().inner(ax), idx, index.length, ptr(ctx, y, "indexSelect", "y"));
        idx.free();                                          // later users queue behind the kernel
        return y;
    }

    @Override
    public Tensor indexAdd(Shape shape, int axis, int[] index, Tensor src) {
        int ax = shape.axis(axis);
        if (!src.shape().equals(shape.with(ax, index.length))) {
            throw new IllegalArgumentException("indexAdd: source " + src.shape() + " does not fit "
                    + shape + " with " + index.length + " indices on axis " + ax);
        }
        checkIndex("indexAdd", index, shape.dim(ax));
        Tensor y = CudaTensors.empty(ctx, shape);
        if (y.size() == 0) return y;
        Launches.fill(ctx, y, 0f, "indexAdd");
        CudaStorage idx = CudaTensors.ints(ctx, index);
        Launches.elementwise(ctx, M, KernelSymbols.INDEX_ADD, y.size(),
                ptr(ctx, src, "indexAdd", "src"), shape.outer(ax), shape.dim(ax),
                shape.inner(ax), idx, index.length, ptr(ctx, y, "indexAdd", "y"));
        idx.free();
        return y;
    }

    @Override
    public Tensor oneHot(int[] labels, int k) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("oneHot: label " + labels[i] + " of sample " + i
                        + " outside [0, " + k + ")");
            }
        }
        Tensor y = CudaTensors.empty(ctx, Shape.of(labels.length, k));
        if (y.size() == 0) return y;
        CudaStorage l = CudaTensors.ints(ctx, labels);
        Launches.elementwise(ctx, M, KernelSymbols.ONE_HOT, y.size(), l, labels.length, k,
                ptr(ctx, y, "oneHot", "y"));
        l.free();
        return y;
    }

    @Override
    public Tensor gatherPlanes(Tensor x, Tensor index, Shape outShape) {
        int planes = x.shape().outer(x.rank() - 2);
        int inSize = x.dim(-2) * x.dim(-1);
        int outSize = outShape.dim(-2) * outShape.dim(-1);
        if (index.size() != (long) planes * outSize || outShape.size() != index.size()) {
            throw new IllegalArgumentException("gatherPlanes: index " + index.shape()
                    + " must hold " + planes + " planes of " + outSize + " for x " + x.shape()
                    + " and output " + outShape);
        }
        Tensor y = CudaTensors.empty(ctx, outShape);
        Launches.elementwise(ctx, M, KernelSymbols.GATHER_PLANES, y.size(),
                ptr(ctx, x, "gatherPlanes", "x"), ptr(ctx, index, "gatherPlanes", "index"),
                ptr(ctx, y, "gatherPlanes", "y"), planes, inSize, outSize);
        return y;
    }

    private static void checkIndex(String op, int[] index, int axisLen) {
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= axisLen) {
                throw new IndexOutOfBoundsException(op + ": index[" + j + "] = " + index[j]
                        + " outside [0, " + axisLen + ")");
            }
        }
    }
}
