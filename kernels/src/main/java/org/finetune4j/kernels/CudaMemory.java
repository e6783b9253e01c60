package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import jcuda.Sizeof;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.MemoryKernels;

/**
 * MemoryKernels on one CUDA device: allocation (fill kernel), host transfers and device copies
 * through the context, and the in-place updates (axpy / scale / fill kernels), which bump the
 * storage version exactly as CpuBackend does so autograd sees the write.
 */
final class CudaMemory implements MemoryKernels {
    private final CudaContext ctx;

    CudaMemory(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Tensor zeros(Shape shape) {
        return full(shape, 0f);
    }

    @Override
    public Tensor full(Shape shape, float value) {
        Tensor t = CudaTensors.empty(ctx, shape);
        fill(t, value);
        return t;
    }

    @Override
    public Tensor upload(float[] data, Shape shape) {
        if (data.length != shape.size()) {                // Tensor.wrap's check, same words
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements but storage has " + data.length);
        }
        Tensor t = CudaTensors.empty(ctx, shape);
        if (data.length > 0) ctx.upload(data, 0, ptr(ctx, t, "upload", "result"), data.length);
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        float[] host = new float[t.size()];
        if (host.length > 0) ctx.download(ptr(ctx, t, "download", "t"), host, 0, host.length);
        return host;
    }

    @Override
    public Tensor copy(Tensor t) {
        Tensor y = CudaTensors.empty(ctx, t.shape());
        copyBytes("copy", t, y);
        return y;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        Launches.sameShape("copyInto", dst, src);
        copyBytes("copyInto", src, dst);
        dst.bumpVersion();
    }

    @Override
    public void axpyInPlace(Tensor y, float alpha, Tensor x) {
        Launches.sameShape("axpyInPlace", y, x);
        Launches.elementwise(ctx, PtxModule.ELEMENTWISE, KernelSymbols.AXPY, y.size(),
                ptr(ctx, y, "axpyInPlace", "y"), alpha, ptr(ctx, x, "axpyInPlace", "x"), y.size());
        y.bumpVersion();
    }

    @Override
    public void scaleInPlace(Tensor y, float s) {
        Launches.elementwise(ctx, PtxModule.ELEMENTWISE, KernelSymbols.SCALE, y.size(),
                ptr(ctx, y, "scaleInPlace", "y"), s, y.size());
        y.bumpVersion();
    }

    @Override
    public void fillInPlace(Tensor y, float v) {
        fill(y, v);
        y.bumpVersion();
    }

    private void fill(Tensor y, float v) {
        Launches.elementwise(ctx, PtxModule.ELEMENTWISE, KernelSymbols.FILL, y.size(),
                ptr(ctx, y, "fill", "y"), v, y.size());
    }

    private void copyBytes(String op, Tensor src, Tensor dst) {
        if (src.size() == 0) return;
        ctx.copy(ptr(ctx, src, op, "src"), ptr(ctx, dst, op, "dst"),
                (long) src.size() * Sizeof.FLOAT);
    }
}
