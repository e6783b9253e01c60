package org.finetune4j.kernels;

import jcuda.driver.CUdeviceptr;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.KernelLaunch;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Tensor;

/**
 * Launch conventions shared by the CUDA op classes (CUDA-CONTRACT.md): grid-stride elementwise
 * kernels at blockDim 256, row kernels one block per row (the kernels loop over rows past
 * gridDim), and no launch at all for an empty problem. Shape errors read as the CPU backend's.
 */
final class Launches {
    static final int ROW_BLOCK = 256;
    // Row kernels loop over rows past gridDim.x, so a grid this large already fills any GPU.
    private static final int MAX_ROW_GRID = 1 << 20;

    private Launches() {}

    /** A grid-stride kernel over n elements; nothing is queued when n == 0. */
    static void elementwise(CudaContext ctx, PtxModule module, String symbol, long n,
                            Object... args) {
        if (n == 0) return;
        KernelLaunch.launch(ctx, module, symbol, KernelLaunch.gridFor(n),
                KernelLaunch.ELEMENTWISE_BLOCK, 0, args);
    }

    /** A one-block-per-row kernel (blockDim 256); nothing is queued when rows == 0. */
    static void rows(CudaContext ctx, PtxModule module, String symbol, long rows,
                     Object... args) {
        if (rows == 0) return;
        KernelLaunch.launch(ctx, module, symbol, (int) Math.min(rows, MAX_ROW_GRID), ROW_BLOCK, 0,
                args);
    }

    /** y = v everywhere (a fresh output that a kernel accumulates into, or a constant). */
    static void fill(CudaContext ctx, Tensor y, float v, String op) {
        elementwise(ctx, PtxModule.ELEMENTWISE, KernelSymbols.FILL, y.size(),
                CudaTensors.ptr(ctx, y, op, "y"), v, y.size());
    }

    /** A null device pointer, for kernel outputs the header allows to be absent. */
    static CUdeviceptr none() {
        return new CUdeviceptr();
    }

    static void sameShape(String op, Tensor x, Tensor y) {
        if (!x.shape().equals(y.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + x.shape() + " and " + y.shape()
                    + " differ");
        }
    }

    /** The CPU twins' ArraySizes.positive check, with the same message. */
    static void positive(String kernel, int... sizes) {
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException(kernel + ": sizes must be positive, got "
                        + java.util.Arrays.toString(sizes));
            }
        }
    }
}
