package org.finetune4j.kernels;

import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.NormKernels;

/**
 * NormKernels through cuDNN (CUDNN_BATCHNORM_SPATIAL: statistics per channel over n, h, w), the
 * semantics of CpuBatchNorm2d, which are cuDNN's: saved mean and 1/sqrt(biased var + eps),
 * running statistics r ← (1 − momentum)·r + momentum·batch with the unbiased variance. x may be
 * (n, c, ...) of any rank ≥ 2, described as (n, c, h·w..., 1): the same packed memory.
 * CudaNorm (our batch_norm.cu) runs what cuDNN would refuse: eps below CUDNN_BN_MIN_EPSILON,
 * empty tensors and a single value per channel (where both refuse to train, with CudaNorm's
 * message).
 */
public final class CudnnNorm implements NormKernels {
    private static final int MODE = cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
    /**
     * cudnnBatchNormalizationBackward takes an eps, but with the saved mean and inverse standard
     * deviation supplied it normalises with those (the eps is already inside the saved rstd).
     */
    private static final double BACKWARD_EPS = Math.max(1e-5, JCudnn.CUDNN_BN_MIN_EPSILON);

    private final CudnnSession dnn;
    private final CudaContext ctx;
    private final CudaNorm fallback;

    /** Runs on ctx's cuDNN session; what cuDNN does not cover goes to {@code fallback}. */
    public CudnnNorm(CudaContext ctx, CudaNorm fallback) {
        this.dnn = CudnnSession.of(ctx);
        this.ctx = ctx;
        this.fallback = fallback;
    }

    @Override
    public BatchNormResult batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta,
                                                 Tensor runningMean, Tensor runningVar,
                                                 float momentum, float eps) {
        int c = CudaNorm.checkBatchNorm(x, gamma, beta);
        if (eps < JCudnn.CUDNN_BN_MIN_EPSILON || valuesPerChannel(x) < 2) {
            return fallback.batchNormTrainForward(x, gamma, beta, runningMean, runningVar,
                    momentum, eps);
        }
        String op = "batchNormTrainForward";
        CudaNorm.checkRunning(op, runningMean, c, "runningMean");
        CudaNorm.checkRunning(op, runningVar, c, "runningVar");
        Tensor y = CudaTensors.empty(ctx, x.shape());
        Tensor mean = CudaTensors.empty(ctx, Shape.of(c));
        Tensor rstd = CudaTensors.empty(ctx, Shape.of(c));
        // cuDNN updates both running statistics or neither: scratch stands in for a missing one.
        boolean update = runningMean != null || runningVar != null;
        CudaStorage meanScratch = update && runningMean == null ? zeros(c) : null;
        CudaStorage varScratch = update && runningVar == null ? zeros(c) : null;
        Pointer rm = !update ? new Pointer() : runningMean != null        // new Pointer(): NULL
                ? CudaTensors.ptr(ctx, runningMean, op, "runningMean") : meanScratch.pointer();
        Pointer rv = !update ? new Pointer() : runningVar != null
                ? CudaTensors.ptr(ctx, runningVar, op, "runningVar") : varScratch.pointer();
        cudnnTensorDescriptor xd = data(x);
        synchronized (dnn.lock()) {
            JCudnn.cudnnBatchNormalizationForwardTraining(dnn.handle(), MODE, CudnnSession.ONE,
                    CudnnSession.ZERO, xd, CudaTensors.ptr(ctx, x, op, "x"), xd,
                    CudaTensors.ptr(ctx, y, op, "y"), params(c),
                    CudaTensors.ptr(ctx, gamma, op, "gamma"),
                    CudaTensors.ptr(ctx, beta, op, "beta"), momentum, rm, rv, eps,
                    CudaTensors.ptr(ctx, mean, op, "mean"), CudaTensors.ptr(ctx, rstd, op, "rstd"));
        }
        if (meanScratch != null) meanScratch.free();
        if (varScratch != null) varScratch.free();
        if (runningMean != null) runningMean.bumpVersion();
        if (runningVar != null) runningVar.bumpVersion();
        return new BatchNormResult(y, mean, rstd);
    }

    @Override
    public Tensor batchNormEvalForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                       Tensor runningVar, float eps) {
        int c = CudaNorm.checkBatchNorm(x, gamma, beta);
        String op = "batchNormEvalForward";
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException(op + ": running statistics are required");
        }
        if (eps < JCudnn.CUDNN_BN_MIN_EPSILON || x.size() == 0) {
            return fallback.batchNormEvalForward(x, gamma, beta, runningMean, runningVar, eps);
        }
        CudaNorm.checkRunning(op, runningMean, c, "runningMean");
        CudaNorm.checkRunning(op, runningVar, c, "runningVar");
        Tensor y = CudaTensors.empty(ctx, x.shape());
        cudnnTensorDescriptor xd = data(x);
        synchronized (dnn.lock()) {
            JCudnn.cudnnBatchNormalizationForwardInference(dnn.handle(), MODE, CudnnSession.ONE,
                    CudnnSession.ZERO, xd, CudaTensors.ptr(ctx, x, op, "x"), xd,
                    CudaTensors.ptr(ctx, y, op, "y"), params(c),
                    CudaTensors.ptr(ctx, gamma, op, "gamma"),
                    CudaTensors.ptr(ctx, beta, op, "beta"),
                    CudaTensors.ptr(ctx, runningMean, op, "runningMean"),
                    CudaTensors.ptr(ctx, runningVar, op, "runningVar"), eps);
        }
        return y;
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean,
                                            Tensor rstd, boolean needX, boolean needGamma,
                                            boolean needBeta) {
        String op = "batchNormBackward";
        if (!dy.shape().equals(x.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + dy.shape() + " and "
                    + x.shape() + " differ");
        }
        if (!needX && !needGamma && !needBeta) return new BatchNormGrads(null, null, null);
        if (x.size() == 0) {
            return fallback.batchNormBackward(dy, x, gamma, mean, rstd, needX, needGamma,
                    needBeta);
        }
        int c = x.dim(1);
        // cuDNN always writes all three: scratch for those the caller did not ask for.
        Tensor dx = CudaTensors.empty(ctx, x.shape());
        Tensor dGamma = CudaTensors.empty(ctx, Shape.of(c));
        Tensor dBeta = CudaTensors.empty(ctx, Shape.of(c));
        cudnnTensorDescriptor xd = data(x);
        synchronized (dnn.lock()) {
            JCudnn.cudnnBatchNormalizationBackward(dnn.handle(), MODE, CudnnSession.ONE,
                    CudnnSession.ZERO, CudnnSession.ONE, CudnnSession.ZERO, xd,
                    CudaTensors.ptr(ctx, x, op, "x"), xd, CudaTensors.ptr(ctx, dy, op, "dy"), xd,
                    CudaTensors.ptr(ctx, dx, op, "dx"), params(c),
                    CudaTensors.ptr(ctx, gamma, op, "gamma"),
                    CudaTensors.ptr(ctx, dGamma, op, "dGamma"),
                    CudaTensors.ptr(ctx, dBeta, op, "dBeta"), BACKWARD_EPS,
                    CudaTensors.ptr(ctx, mean, op, "mean"), CudaTensors.ptr(ctx, rstd, op, "rstd"));
        }
        return new BatchNormGrads(needX ? dx : null, needGamma ? dGamma : null,
                needBeta ? dBeta : null);
    }

    /** x (n, c, rest...) as the packed 4-d tensor (n, c, rest, 1). */
    private cudnnTensorDescriptor data(Tensor x) {
        int n = x.dim(0), c = x.dim(1);
        return dnn.tensor(n, c, x.size() / Math.max(1, n * c), 1);
    }

    /** The (1, c, 1, 1) descriptor of gamma, beta, the statistics and their gradients. */
    private cudnnTensorDescriptor params(int c) {
        return dnn.tensor(1, c, 1, 1);
    }

    private static long valuesPerChannel(Tensor x) {
        int n = x.dim(0), c = x.dim(1);
        return (long) n * (x.size() / Math.max(1, n * c));
    }

    private CudaStorage zeros(int c) {
        CudaStorage s = CudaStorage.allocate(ctx, c);
        ctx.makeCurrent();
        JCudaDriver.cuMemsetD32Async(s.pointer(), 0, c, ctx.stream());
        return s;
    }
}
