package org.finetune4j.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.ConvKernels;

/**
 * ConvKernels through cuDNN: cudnnConvolutionForward (+ cudnnAddTensor for the bias),
 * cudnnConvolutionBackwardData and cudnnConvolutionBackwardFilter. The algorithms are chosen
 * once per geometry (cudnnGet*Algorithm_v7, cuDNN's heuristic ranking, no trial runs) and kept
 * with their workspace sizes in a {@link Plan}; the workspace comes from the caching allocator.
 * Which algorithms may run, and why:
 *   - GEMM-family and direct only (no FFT, no Winograd): their transforms round differently
 *     from a dot product and their error grows with the tile, while parity with the CPU is
 *     stated at the GEMM's tolerance;
 *   - the two backward passes deterministic only (cudnnDeterminism), so a seed still fixes
 *     every number; cuDNN's atomics-based ALGO_0 variants are skipped;
 *   - workspace at most {@link #WORKSPACE_LIMIT} bytes.
 * A geometry that no admissible algorithm covers runs on the PTX path (CudaConv) instead, as do
 * the bias gradient (CudaConv's fixed-order sum; cuDNN's is not documented as deterministic).
 */
public final class CudnnConv implements ConvKernels {
    static final long WORKSPACE_LIMIT = 256L << 20;
    private static final int NONE = -1;                  // no admissible cuDNN algorithm

    /** The algorithm per direction (NONE: the PTX path) and its workspace in bytes. */
    record Plan(int forward, long forwardBytes, int data, long dataBytes, int filter,
                long filterBytes) {}

    private final CudnnSession dnn;
    private final CudaContext ctx;
    private final CudaConv fallback;
    private final Map<Conv2dGeometry, Plan> plans = new ConcurrentHashMap<>();

    /** Runs on ctx's cuDNN session; what cuDNN does not cover goes to {@code fallback}. */
    public CudnnConv(CudaContext ctx, CudaConv fallback) {
        this.dnn = CudnnSession.of(ctx);
        this.ctx = ctx;
        this.fallback = fallback;
    }

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g) {
        CudaConv.checkConv(x, w, g);
        CudaConv.checkBias(bias, g);
        Plan plan = plan(g);
        if (plan.forward == NONE) return fallback.conv2dForward(x, w, bias, g);
        String op = "conv2d";
        Tensor y = CudaTensors.empty(ctx, Shape.of(g.n(), g.cOut(), g.outH(), g.outW()));
        Pointer xp = CudaTensors.ptr(ctx, x, op, "input");
        Pointer wp = CudaTensors.ptr(ctx, w, op, "weight");
        Pointer yp = CudaTensors.ptr(ctx, y, op, "output");
        Pointer bp = bias == null ? null : CudaTensors.ptr(ctx, bias, op, "bias");
        CudaStorage ws = workspace(plan.forwardBytes);
        synchronized (dnn.lock()) {
            JCudnn.cudnnConvolutionForward(dnn.handle(), CudnnSession.ONE, input(g), xp,
                    filter(g), wp, conv(g), plan.forward, pointer(ws), plan.forwardBytes,
                    CudnnSession.ZERO, output(g), yp);
            if (bp != null) {
                JCudnn.cudnnAddTensor(dnn.handle(), CudnnSession.ONE,
                        dnn.tensor(1, g.cOut(), 1, 1), bp, CudnnSession.ONE, output(g), yp);
            }
        }
        release(ws);
        return y;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor dy, Tensor w, Conv2dGeometry g) {
        CudaConv.checkConvOutput(dy, g);
        CudaConv.checkWeight(w, g);
        Plan plan = plan(g);
        if (plan.data == NONE) return fallback.conv2dBackwardInput(dy, w, g);
        String op = "conv2dBackwardInput";
        Tensor dx = CudaTensors.empty(ctx, Shape.of(g.n(), g.cIn(), g.h(), g.w()));
        Pointer wp = CudaTensors.ptr(ctx, w, op, "weight");
        Pointer dyp = CudaTensors.ptr(ctx, dy, op, "gradient");
        Pointer dxp = CudaTensors.ptr(ctx, dx, op, "input gradient");
        CudaStorage ws = workspace(plan.dataBytes);
        synchronized (dnn.lock()) {
            JCudnn.cudnnConvolutionBackwardData(dnn.handle(), CudnnSession.ONE, filter(g), wp,
                    output(g), dyp, conv(g), plan.data, pointer(ws), plan.dataBytes,
                    CudnnSession.ZERO, input(g), dxp);
        }
        release(ws);
        return dx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor dy, Conv2dGeometry g) {
        CudaConv.checkConvOutput(dy, g);
        CudaConv.checkInput(x, g);
        Plan plan = plan(g);
        if (plan.filter == NONE) return fallback.conv2dBackwardWeight(x, dy, g);
        String op = "conv2dBackwardWeight";
        Tensor dw = CudaTensors.empty(ctx, Shape.of(g.cOut(), g.cInG(), g.kH(), g.kW()));
        Pointer xp = CudaTensors.ptr(ctx, x, op, "input");
        Pointer dyp = CudaTensors.ptr(ctx, dy, op, "gradient");
        Pointer dwp = CudaTensors.ptr(ctx, dw, op, "weight gradient");
        CudaStorage ws = workspace(plan.filterBytes);
        synchronized (dnn.lock()) {
            JCudnn.cudnnConvolutionBackwardFilter(dnn.handle(), CudnnSession.ONE, input(g), xp,
                    output(g), dyp, conv(g), plan.filter, pointer(ws), plan.filterBytes,
                    CudnnSession.ZERO, filter(g), dwp);
        }
        release(ws);
        return dw;
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor dy, Conv2dGeometry g) {
        return fallback.conv2dBackwardBias(dy, g);
    }

    /** The algorithms cuDNN runs for g (chosen on first use, then cached). */
    Plan plan(Conv2dGeometry g) {
        return plans.computeIfAbsent(g, this::choose);
    }

    // ---------------------------------------------------------------- algorithm choice

    private Plan choose(Conv2dGeometry g) {
        synchronized (dnn.lock()) {
            checkOutputDims(g);
            int fwd = pickForward(g), data = pickData(g), filter = pickFilter(g);
            long[] bytes = new long[1];
            long fwdBytes = 0, dataBytes = 0, filterBytes = 0;
            if (fwd != NONE) {
                JCudnn.cudnnGetConvolutionForwardWorkspaceSize(dnn.handle(), input(g), filter(g),
                        conv(g), output(g), fwd, bytes);
                fwdBytes = bytes[0];
            }
            if (data != NONE) {
                JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(dnn.handle(), filter(g),
                        output(g), conv(g), input(g), data, bytes);
                dataBytes = bytes[0];
            }
            if (filter != NONE) {
                JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(dnn.handle(), input(g),
                        output(g), conv(g), filter(g), filter, bytes);
                filterBytes = bytes[0];
            }
            return new Plan(fwd, fwdBytes, data, dataBytes, filter, filterBytes);
        }
    }

    /** One entry of cuDNN's ranked list, whichever direction's perf struct it came from. */
    private record Ranked(int algo, int status, long memory, int determinism) {}

    private int pickForward(Conv2dGeometry g) {
        int count = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[count];
        for (int i = 0; i < count; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
        int[] returned = new int[1];
        JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(dnn.handle(), input(g), filter(g), conv(g),
                output(g), count, returned, perf);
        Ranked[] ranked = new Ranked[returned[0]];
        for (int i = 0; i < ranked.length; i++) {
            // The forward pass is deterministic whatever cuDNN reports: no accumulation races.
            ranked[i] = new Ranked(perf[i].algo, perf[i].status, perf[i].memory,
                    cudnnDeterminism.CUDNN_DETERMINISTIC);
        }
        return firstAdmissible(ranked, CudnnConv::dotProductForward);
    }

    private int pickData(Conv2dGeometry g) {
        int count = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
        cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[count];
        for (int i = 0; i < count; i++) perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
        int[] returned = new int[1];
        JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(dnn.handle(), filter(g), output(g),
                conv(g), input(g), count, returned, perf);
        Ranked[] ranked = new Ranked[returned[0]];
        for (int i = 0; i < ranked.length; i++) {
            ranked[i] = new Ranked(perf[i].algo, perf[i].status, perf[i].memory,
                    perf[i].determinism);
        }
        return firstAdmissible(ranked, CudnnConv::dotProductData);
    }

    private int pickFilter(Conv2dGeometry g) {
        int count = cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
        cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[count];
        for (int i = 0; i < count; i++) perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        int[] returned = new int[1];
        JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(dnn.handle(), input(g), output(g),
                conv(g), filter(g), count, returned, perf);
        Ranked[] ranked = new Ranked[returned[0]];
        for (int i = 0; i < ranked.length; i++) {
            ranked[i] = new Ranked(perf[i].algo, perf[i].status, perf[i].memory,
                    perf[i].determinism);
        }
        return firstAdmissible(ranked, CudnnConv::dotProductFilter);
    }

    /** The best-ranked admissible dot-product algorithm, or NONE. */
    private static int firstAdmissible(Ranked[] ranked, IntPredicate dotProduct) {
        for (Ranked r : ranked) {                                   // best first
            boolean deterministic = r.determinism == cudnnDeterminism.CUDNN_DETERMINISTIC;
            if (admissible(r.status, r.memory, deterministic) && dotProduct.test(r.algo)) {
                return r.algo;
            }
        }
        return NONE;
    }

    static boolean admissible(int status, long memory, boolean deterministic) {
        return status == cudnnStatus.CUDNN_STATUS_SUCCESS && deterministic
                && memory <= WORKSPACE_LIMIT;
    }

    static boolean dotProductForward(int algo) {
        return algo == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM
                || algo == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM
                || algo == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM
                || algo == cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
    }

    static boolean dotProductData(int algo) {
        return algo == cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0
                || algo == cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    }

    static boolean dotProductFilter(int algo) {
        return algo == cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0
                || algo == cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1
                || algo == cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3;
    }

    /** cuDNN's output size must be Conv2dGeometry's (PyTorch's floor rule); else a bug here. */
    private void checkOutputDims(Conv2dGeometry g) {
        int[] n = new int[1], c = new int[1], h = new int[1], w = new int[1];
        JCudnn.cudnnGetConvolution2dForwardOutputDim(conv(g), input(g), filter(g), n, c, h, w);
        if (n[0] != g.n() || c[0] != g.cOut() || h[0] != g.outH() || w[0] != g.outW()) {
            throw new IllegalStateException("cuDNN computes output (" + n[0] + ", " + c[0] + ", "
                    + h[0] + ", " + w[0] + ") for " + g + ", expected (" + g.n() + ", "
                    + g.cOut() + ", " + g.outH() + ", " + g.outW() + ")");
        }
    }

    // ---------------------------------------------------------------- descriptors, workspace

    private cudnnTensorDescriptor input(Conv2dGeometry g) {
        return dnn.tensor(g.n(), g.cIn(), g.h(), g.w());
    }

    private cudnnTensorDescriptor output(Conv2dGeometry g) {
        return dnn.tensor(g.n(), g.cOut(), g.outH(), g.outW());
    }

    private cudnnFilterDescriptor filter(Conv2dGeometry g) {
        return dnn.filter(g.cOut(), g.cInG(), g.kH(), g.kW());
    }

    private cudnnConvolutionDescriptor conv(Conv2dGeometry g) {
        return dnn.convolution(g);
    }

    /** A pooled block of at least {@code bytes}, or null for none. */
    private CudaStorage workspace(long bytes) {
        return bytes == 0 ? null : CudaStorage.allocate(ctx, (int) ((bytes + 3) / 4));
    }

    private static Pointer pointer(CudaStorage ws) {
        return ws == null ? new Pointer() : ws.pointer();
    }

    /**
     * Back to the pool: the allocator hands the block out again only to work queued after this
     * point on the same stream, so the convolution reading it is ordered before any reuse.
     */
    private static void release(CudaStorage ws) {
        if (ws != null) ws.free();
    }
}
