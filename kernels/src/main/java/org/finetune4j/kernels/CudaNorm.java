package org.finetune4j.kernels;

import jcuda.driver.CUdeviceptr;
import org.finetune4j.kernels.cuda.CudaAvailability;
import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelLaunch;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.NormKernels;

/**
 * NormKernels on CUDA: batch_norm.cu, the semantics of CpuBatchNorm2d (x: (n, c, hw...);
 * mean and rstd = 1/sqrt(biased var + eps) saved per channel; running statistics updated in
 * place with the unbiased variance, then their versions bumped, as CpuBackend does).
 *   train    bn_stats (one block per channel, double) -> bn_apply -> bn_running_update
 *   eval     bn_eval_forward
 *   backward bn_backward_reduce (one block per channel, double) -> bn_backward_dx; dx needs
 *            both dGamma and dBeta, so they go to scratch when the caller did not ask for them.
 */
public final class CudaNorm implements NormKernels {
    private static final int ROW_BLOCK = 256;
    private static final int MAX_CHANNEL_GRID = 1 << 20;    // the kernels loop past gridDim.x

    private final CudaContext ctx;

    public CudaNorm(CudaContext ctx, CudaAvailability availability) {
        this.ctx = ctx;
    }

    @Override
    public BatchNormResult batchNormTrainForward(Tensor x, Tensor gamma, Tensor beta,
                                                 Tensor runningMean, Tensor runningVar,
                                                 float momentum, float eps) {
        int c = checkBatchNorm(x, gamma, beta);
        int n = x.dim(0), hw = x.size() / Math.max(1, n * c);
        long m = (long) n * hw;
        if (m < 2) {                                             // PyTorch refuses this too
            throw new IllegalArgumentException("batchNorm2d.forwardTrain: expected more than"
                    + " 1 value per channel when training, got n·hw = " + m);
        }
        checkRunning("batchNormTrainForward", runningMean, c, "runningMean");
        checkRunning("batchNormTrainForward", runningVar, c, "runningVar");
        String op = "batchNormTrainForward";
        Tensor y = CudaTensors.empty(ctx, x.shape());
        Tensor mean = CudaTensors.empty(ctx, Shape.of(c));
        Tensor rstd = CudaTensors.empty(ctx, Shape.of(c));
        CudaStorage var = CudaStorage.allocate(ctx, c);           // biased, for the running update
        CUdeviceptr xp = CudaTensors.ptr(ctx, x, op, "x");
        CUdeviceptr mp = CudaTensors.ptr(ctx, mean, op, "mean");
        CUdeviceptr rp = CudaTensors.ptr(ctx, rstd, op, "rstd");
        perChannel(KernelSymbols.BN_STATS, c, xp, n, c, hw, eps, mp, rp, var.pointer());
        elementwise(KernelSymbols.BN_APPLY, x.size(), xp, mp, rp,
                CudaTensors.ptr(ctx, gamma, op, "gamma"), CudaTensors.ptr(ctx, beta, op, "beta"),
                CudaTensors.ptr(ctx, y, op, "y"), n, c, hw);
        if (runningMean != null || runningVar != null) {
            elementwise(KernelSymbols.BN_RUNNING_UPDATE, c,
                    optional(runningMean, op, "runningMean"),
                    optional(runningVar, op, "runningVar"),
                    mp, var.pointer(), c, momentum, (int) m);
        }
        var.free();
        if (runningMean != null) runningMean.bumpVersion();
        if (runningVar != null) runningVar.bumpVersion();
        return new BatchNormResult(y, mean, rstd);
    }

    @Override
    public Tensor batchNormEvalForward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                       Tensor runningVar, float eps) {
        int c = checkBatchNorm(x, gamma, beta);
        int n = x.dim(0), hw = x.size() / Math.max(1, n * c);
        String op = "batchNormEvalForward";
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException(op + ": running statistics are required");
        }
        checkRunning(op, runningMean, c, "runningMean");
        checkRunning(op, runningVar, c, "runningVar");
        Tensor y = CudaTensors.empty(ctx, x.shape());
        elementwise(KernelSymbols.BN_EVAL_FORWARD, x.size(), CudaTensors.ptr(ctx, x, op, "x"),
                CudaTensors.ptr(ctx, gamma, op, "gamma"), CudaTensors.ptr(ctx, beta, op, "beta"),
                CudaTensors.ptr(ctx, runningMean, op, "runningMean"),
                CudaTensors.ptr(ctx, runningVar, op, "runningVar"), eps,
                CudaTensors.ptr(ctx, y, op, "y"), n, c, hw);
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
        int c = x.dim(1), n = x.dim(0), hw = x.size() / Math.max(1, n * c);
        Tensor dx = needX ? CudaTensors.empty(ctx, x.shape()) : null;
        Tensor dGamma = needGamma ? CudaTensors.empty(ctx, Shape.of(c)) : null;
        Tensor dBeta = needBeta ? CudaTensors.empty(ctx, Shape.of(c)) : null;
        if (!needX && !needGamma && !needBeta) return new BatchNormGrads(null, null, null);
        CUdeviceptr dyp = CudaTensors.ptr(ctx, dy, op, "dy");
        CUdeviceptr xp = CudaTensors.ptr(ctx, x, op, "x");
        CUdeviceptr mp = CudaTensors.ptr(ctx, mean, op, "mean");
        CUdeviceptr rp = CudaTensors.ptr(ctx, rstd, op, "rstd");
        // bn_backward_dx reads both sums: scratch for those the caller does not want.
        CudaStorage gScratch = needX && !needGamma ? CudaStorage.allocate(ctx, c) : null;
        CudaStorage bScratch = needX && !needBeta ? CudaStorage.allocate(ctx, c) : null;
        CUdeviceptr gp = needGamma ? CudaTensors.ptr(ctx, dGamma, op, "dGamma")
                : gScratch != null ? gScratch.pointer() : new CUdeviceptr();
        CUdeviceptr bp = needBeta ? CudaTensors.ptr(ctx, dBeta, op, "dBeta")
                : bScratch != null ? bScratch.pointer() : new CUdeviceptr();
        perChannel(KernelSymbols.BN_BACKWARD_REDUCE, c, dyp, xp, mp, rp, gp, bp, n, c, hw);
        if (needX) {
            elementwise(KernelSymbols.BN_BACKWARD_DX, x.size(), dyp, xp, mp, rp,
                    CudaTensors.ptr(ctx, gamma, op, "gamma"), gp, bp,
                    CudaTensors.ptr(ctx, dx, op, "dx"), n, c, hw);
        }
        if (gScratch != null) gScratch.free();
        if (bScratch != null) bScratch.free();
        return new BatchNormGrads(dx, dGamma, dBeta);
    }

    // ---------------------------------------------------------------- launches

    /** One block per channel (the kernel loops over channels past gridDim.x). */
    private void perChannel(String symbol, int c, Object... args) {
        if (c == 0) return;
        KernelLaunch.launch(ctx, PtxModule.BATCH_NORM, symbol, Math.min(c, MAX_CHANNEL_GRID),
                ROW_BLOCK, 0, args);
    }

    private void elementwise(String symbol, long total, Object... args) {
        if (total == 0) return;
        KernelLaunch.launch(ctx, PtxModule.BATCH_NORM, symbol, KernelLaunch.gridFor(total),
                KernelLaunch.ELEMENTWISE_BLOCK, 0, args);
    }

    /** The tensor's pointer, or the null pointer the kernel skips. */
    private CUdeviceptr optional(Tensor t, String op, String arg) {
        return t == null ? new CUdeviceptr() : CudaTensors.ptr(ctx, t, op, arg);
    }

    // ---------------------------------------------------------------- shapes

    /** As CpuLinalg.checkBatchNorm: x (n, c, ...) with gamma, beta (c); returns c. */
    static int checkBatchNorm(Tensor x, Tensor gamma, Tensor beta) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchNorm: input must be (n, c, …), got "
                    + x.shape());
        }
        int c = x.dim(1);
        if (gamma.rank() != 1 || gamma.dim(0) != c || beta.rank() != 1 || beta.dim(0) != c) {
            throw new IllegalArgumentException("batchNorm: gamma " + gamma.shape() + " and beta "
                    + beta.shape() + " must be [" + c + "] for input " + x.shape());
        }
        return c;
    }

    static void checkRunning(String op, Tensor t, int c, String name) {
        if (t != null && t.size() != c) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " must have "
                    + c + " elements");
        }
    }
}
