package org.finetune4j.kernels;

import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnPoolingMode;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels;

/**
 * PoolKernels with average pooling through cuDNN (CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING:
 * PyTorch's count_include_pad = True in floor mode, so the divisor is always kH·kW) and the rest
 * on CudaPool. Max pooling stays on our pool.cu on purpose: the contract hands the backward pass
 * the argmax of the forward pass (as PyTorch's own CUDA max pooling does), so a tie routes its
 * gradient to the same input as on the CPU; cudnnPoolingBackward would recompute the maximum
 * from x and y and may pick another of the tied inputs. Bilinear resizing has no cuDNN twin.
 */
public final class CudnnPool implements PoolKernels {
    private static final int AVERAGE = cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;

    private final CudnnSession dnn;
    private final CudaContext ctx;
    private final CudaPool fallback;

    /** Runs on ctx's cuDNN session; what cuDNN does not cover goes to {@code fallback}. */
    public CudnnPool(CudaContext ctx, CudaPool fallback) {
        this.dnn = CudnnSession.of(ctx);
        this.ctx = ctx;
        this.fallback = fallback;
    }

    @Override
    public MaxPoolResult maxPool2dForward(Tensor x, Pool2dGeometry g) {
        return fallback.maxPool2dForward(x, g);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor dy, Tensor argmax, Pool2dGeometry g) {
        return fallback.maxPool2dBackward(dy, argmax, g);
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dGeometry g) {
        CudaPool.checkInput("avgPool2d", x, g);
        Tensor y = CudaTensors.empty(ctx, Shape.of(g.n(), g.c(), g.outH(), g.outW()));
        synchronized (dnn.lock()) {
            JCudnn.cudnnPoolingForward(dnn.handle(), window(g), CudnnSession.ONE, input(g),
                    CudaTensors.ptr(ctx, x, "avgPool2d", "input"), CudnnSession.ZERO, output(g),
                    CudaTensors.ptr(ctx, y, "avgPool2d", "output"));
        }
        return y;
    }

    /**
     * cudnnPoolingBackward's signature asks for x and y as well; average pooling's gradient
     * depends on neither and cuDNN does not read them in that mode, so dy and dx stand in
     * (right sizes, valid memory) instead of keeping the forward's tensors alive.
     */
    @Override
    public Tensor avgPool2dBackward(Tensor dy, Pool2dGeometry g) {
        CudaPool.checkOutput("avgPool2dBackward", dy, g);
        Tensor dx = CudaTensors.empty(ctx, Shape.of(g.n(), g.c(), g.h(), g.w()));
        Pointer dyp = CudaTensors.ptr(ctx, dy, "avgPool2dBackward", "gradient");
        Pointer dxp = CudaTensors.ptr(ctx, dx, "avgPool2dBackward", "input gradient");
        synchronized (dnn.lock()) {
            JCudnn.cudnnPoolingBackward(dnn.handle(), window(g), CudnnSession.ONE, output(g), dyp,
                    output(g), dyp, input(g), dxp, CudnnSession.ZERO, input(g), dxp);
        }
        return dx;
    }

    @Override
    public Tensor bilinearResizeForward(Tensor x, int outH, int outW) {
        return fallback.bilinearResizeForward(x, outH, outW);
    }

    @Override
    public Tensor bilinearResizeBackward(Tensor dy, int inH, int inW) {
        return fallback.bilinearResizeBackward(dy, inH, inW);
    }

    private cudnnPoolingDescriptor window(Pool2dGeometry g) {
        return dnn.pooling(AVERAGE, g);
    }

    private cudnnTensorDescriptor input(Pool2dGeometry g) {
        return dnn.tensor(g.n(), g.c(), g.h(), g.w());
    }

    private cudnnTensorDescriptor output(Pool2dGeometry g) {
        return dnn.tensor(g.n(), g.c(), g.outH(), g.outW());
    }
}
