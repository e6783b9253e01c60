package org.finetune4j.kernels;

import static org.finetune4j.kernels.cuda.CudaTensors.ptr;

import org.finetune4j.kernels.cuda.CudaContext;
import org.finetune4j.kernels.cuda.CudaStorage;
import org.finetune4j.kernels.cuda.CudaTensors;
import org.finetune4j.kernels.cuda.KernelSymbols;
import org.finetune4j.kernels.cuda.PtxModule;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.LossKernels;

/**
 * LossKernels on cross_entropy.cu (twin: CpuCrossEntropy via CpuLosses): per-sample losses (n),
 * one block per sample. Labels are range-checked on the host first with the twin's message
 * (the kernel can only write NaN), then copied to the device as ints.
 */
final class CudaLosses implements LossKernels {
    private static final PtxModule M = PtxModule.CROSS_ENTROPY;
    private final CudaContext ctx;

    CudaLosses(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Tensor crossEntropy(Tensor logits, int[] labels) {
        checkLabels("forward", logits, labels);
        int n = logits.dim(0);
        Tensor loss = CudaTensors.empty(ctx, Shape.of(n));
        CudaStorage l = CudaTensors.ints(ctx, labels);
        Launches.rows(ctx, M, KernelSymbols.CROSS_ENTROPY_FORWARD, n,
                ptr(ctx, logits, "crossEntropy", "logits"), l, ptr(ctx, loss, "crossEntropy",
                        "loss"), n, logits.dim(1));
        l.free();
        return loss;
    }

    @Override
    public Tensor crossEntropyBackward(Tensor logits, int[] labels, Tensor dLoss) {
        checkLabels("backward", logits, labels);
        checkDLoss("crossEntropyBackward", logits, dLoss);
        int n = logits.dim(0);
        String op = "crossEntropyBackward";
        Tensor d = CudaTensors.empty(ctx, logits.shape());
        CudaStorage l = CudaTensors.ints(ctx, labels);
        Launches.rows(ctx, M, KernelSymbols.CROSS_ENTROPY_BACKWARD, n,
                ptr(ctx, logits, op, "logits"), l, ptr(ctx, dLoss, op, "dLoss"),
                ptr(ctx, d, op, "dLogits"), n, logits.dim(1));
        l.free();
        return d;
    }

    @Override
    public Tensor crossEntropySoft(Tensor logits, Tensor targets) {
        checkTargets("forwardSoft", logits, targets);
        int n = logits.dim(0);
        String op = "crossEntropySoft";
        Tensor loss = CudaTensors.empty(ctx, Shape.of(n));
        Launches.rows(ctx, M, KernelSymbols.CROSS_ENTROPY_SOFT_FORWARD, n,
                ptr(ctx, logits, op, "logits"), ptr(ctx, targets, op, "targets"),
                ptr(ctx, loss, op, "loss"), n, logits.dim(1));
        return loss;
    }

    @Override
    public Tensor crossEntropySoftBackward(Tensor logits, Tensor targets, Tensor dLoss) {
        checkTargets("backwardSoft", logits, targets);
        checkDLoss("crossEntropySoftBackward", logits, dLoss);
        int n = logits.dim(0);
        String op = "crossEntropySoftBackward";
        Tensor d = CudaTensors.empty(ctx, logits.shape());
        Launches.rows(ctx, M, KernelSymbols.CROSS_ENTROPY_SOFT_BACKWARD, n,
                ptr(ctx, logits, op, "logits"), ptr(ctx, targets, op, "targets"),
                ptr(ctx, dLoss, op, "dLoss"), ptr(ctx, d, op, "dLogits"), n, logits.dim(1));
        return d;
    }

    private static void rank2(String op, Tensor logits) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException(op + ": logits must be (n, k), got "
                    + logits.shape());
        }
    }

    /** CpuLosses.labels then CpuCrossEntropy.checkHard, with their messages. */
    private static void checkLabels(String kernel, Tensor logits, int[] labels) {
        rank2("crossEntropy", logits);
        int n = logits.dim(0);
        int k = logits.dim(1);
        if (labels.length != n) {
            throw new IllegalArgumentException("crossEntropy: " + labels.length
                    + " labels for logits " + logits.shape());
        }
        Launches.positive("crossEntropy." + kernel, n, k);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("crossEntropy." + kernel + ": labels[" + i
                        + "] = " + labels[i] + " is outside [0, " + k + ")");
            }
        }
    }

    private static void checkTargets(String kernel, Tensor logits, Tensor targets) {
        rank2("crossEntropySoft", logits);
        if (!targets.shape().equals(logits.shape())) {
            throw new IllegalArgumentException("crossEntropySoft: targets " + targets.shape()
                    + " must match logits " + logits.shape());
        }
        Launches.positive("crossEntropy." + kernel, logits.dim(0), logits.dim(1));
    }

    /** The kernels read dLoss[i] for every sample i < n. */
    private static void checkDLoss(String op, Tensor logits, Tensor dLoss) {
        if (dLoss.size() != logits.dim(0)) {
            throw new IllegalArgumentException(op + ": dLoss " + dLoss.shape()
                    + " must hold one value per row of logits " + logits.shape());
        }
    }
}
