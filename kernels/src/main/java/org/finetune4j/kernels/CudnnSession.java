package org.finetune4j.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.Pool2dGeometry;

/**
 * The cuDNN state of one context: a handle bound to the context's stream (so cuDNN calls queue
 * behind our kernels and need no events) and the descriptors, created once per shape and kept
 * for the process. A training loop meets a handful of shapes; creating and setting descriptors
 * on every call would cost more than a small layer's kernel. cuDNN handles are not thread-safe:
 * callers hold {@link #lock()} around every call that uses the handle.
 */
final class CudnnSession {
    // One per context for the process, as the cuBLAS handle: creating one costs milliseconds.
    private static final Map<CudaContext, CudnnSession> SESSIONS = new ConcurrentHashMap<>();

    /** (n, c, h, w), also a filter's (k, c, kH, kW). */
    private record Dims(int n, int c, int h, int w) {}

    /** What a convolution descriptor holds: Conv2dGeometry without the tensor sizes. */
    private record ConvKey(int padH, int padW, int strideH, int strideW, int dilH, int dilW,
                           int groups) {}

    private record PoolKey(int mode, int kH, int kW, int padH, int padW, int strideH,
                           int strideW) {}

    static final Pointer ONE = Pointer.to(new float[] {1f});
    static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final CudaContext ctx;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<Dims, cudnnTensorDescriptor> tensors = new ConcurrentHashMap<>();
    private final Map<Dims, cudnnFilterDescriptor> filters = new ConcurrentHashMap<>();
    private final Map<ConvKey, cudnnConvolutionDescriptor> convolutions = new ConcurrentHashMap<>();
    private final Map<PoolKey, cudnnPoolingDescriptor> pools = new ConcurrentHashMap<>();

    private CudnnSession(CudaContext ctx) {
        this.ctx = ctx;
        ctx.makeCurrent();
        JCudnn.setExceptionsEnabled(true);                 // every cuDNN status is checked
        JCudnn.cudnnCreate(handle);
        JCudnn.cudnnSetStream(handle, new cudaStream_t(ctx.stream()));
    }

    static CudnnSession of(CudaContext ctx) {
        return SESSIONS.computeIfAbsent(ctx, CudnnSession::new);
    }

    CudaContext context() {
        return ctx;
    }

    /** The handle, for calls made while holding {@link #lock()}. */
    cudnnHandle handle() {
        return handle;
    }

    /** The monitor that serialises the use of the handle (and makes the context current). */
    Object lock() {
        ctx.makeCurrent();
        return handle;
    }

    /** The fully packed NCHW float tensor (n, c, h, w). */
    cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
        return tensors.computeIfAbsent(new Dims(n, c, h, w), d -> create(
                new cudnnTensorDescriptor(), JCudnn::cudnnCreateTensorDescriptor,
                t -> JCudnn.cudnnSetTensor4dDescriptor(t, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                        cudnnDataType.CUDNN_DATA_FLOAT, d.n, d.c, d.h, d.w)));
    }

    /** The float filter (k, c, kH, kW) in NCHW order: our weight layout (cOut, cInG, kH, kW). */
    cudnnFilterDescriptor filter(int k, int c, int kH, int kW) {
        return filters.computeIfAbsent(new Dims(k, c, kH, kW), d -> create(
                new cudnnFilterDescriptor(), JCudnn::cudnnCreateFilterDescriptor,
                f -> JCudnn.cudnnSetFilter4dDescriptor(f, cudnnDataType.CUDNN_DATA_FLOAT,
                        cudnnTensorFormat.CUDNN_TENSOR_NCHW, d.n, d.c, d.h, d.w)));
    }

    /**
     * Cross-correlation (PyTorch's convolution) with g's padding, stride, dilation and groups,
     * float accumulation, and FMA math: no TF32 tensor cores, which would round the inputs to
     * 10 mantissa bits and break parity with the CPU at float tolerances (PyTorch's
     * allow_tf32 = False).
     */
    cudnnConvolutionDescriptor convolution(Conv2dGeometry g) {
        ConvKey key = new ConvKey(g.padH(), g.padW(), g.strideH(), g.strideW(), g.dilH(),
                g.dilW(), g.groups());
        return convolutions.computeIfAbsent(key, k -> create(new cudnnConvolutionDescriptor(),
                JCudnn::cudnnCreateConvolutionDescriptor, c -> {
                    JCudnn.cudnnSetConvolution2dDescriptor(c, k.padH, k.padW, k.strideH,
                            k.strideW, k.dilH, k.dilW, cudnnConvolutionMode.CUDNN_CROSS_CORRELATION,
                            cudnnDataType.CUDNN_DATA_FLOAT);
                    JCudnn.cudnnSetConvolutionGroupCount(c, k.groups);
                    JCudnn.cudnnSetConvolutionMathType(c, cudnnMathType.CUDNN_FMA_MATH);
                }));
    }

    /** A pooling window of g in the given cudnnPoolingMode; NaNs propagate, as on the CPU. */
    cudnnPoolingDescriptor pooling(int mode, Pool2dGeometry g) {
        PoolKey key = new PoolKey(mode, g.kH(), g.kW(), g.padH(), g.padW(), g.strideH(),
                g.strideW());
        return pools.computeIfAbsent(key, k -> create(new cudnnPoolingDescriptor(),
                JCudnn::cudnnCreatePoolingDescriptor,
                p -> JCudnn.cudnnSetPooling2dDescriptor(p, k.mode,
                        cudnnNanPropagation.CUDNN_PROPAGATE_NAN, k.kH, k.kW, k.padH, k.padW,
                        k.strideH, k.strideW)));
    }

    private interface Creator<D> {
        int create(D descriptor);
    }

    private <D> D create(D descriptor, Creator<D> creator, Consumer<D> setter) {
        ctx.makeCurrent();
        creator.create(descriptor);
        setter.accept(descriptor);
        return descriptor;
    }
}
