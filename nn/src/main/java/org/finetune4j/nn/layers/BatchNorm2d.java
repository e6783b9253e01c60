package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch's nn.BatchNorm2d (affine, tracking running statistics): x (n, c, h, w) → same shape.
 * Parameters "weight" γ = 1 and "bias" β = 0 (c); buffers "running_mean" 0, "running_var" 1 (c)
 * and "num_batches_tracked" (0-d), as in a PyTorch state dict.
 *
 * <p>Training mode normalises with batch statistics, updates the running ones with momentum
 * (r ← (1 − m)·r + m·batch, unbiased variance) and counts the batch. Evaluation mode, or a
 * module whose {@link #batchNormStatisticsFrozen()} is set, normalises with the running
 * statistics and leaves every buffer bit-identical.
 */
public final class BatchNorm2d extends Module {
    public static final float DEFAULT_EPS = 1e-5f;         // PyTorch's defaults
    public static final float DEFAULT_MOMENTUM = 0.1f;

    private final Parameter weight;                        // γ (c)
    private final Parameter bias;                          // β (c)
    // Buffers "running_mean", "running_var" (c) and "num_batches_tracked" (), a count stored as
    // float, are read through bufferTensor: to(Device) replaces them.
    private final float eps;
    private final float momentum;

    public BatchNorm2d(int channels) {
        this(channels, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    public BatchNorm2d(int channels, float eps, float momentum) {
        this(Tensor.ones(channels), Tensor.zeros(channels), Tensor.zeros(channels),
                Tensor.ones(channels), Tensor.wrap(new float[1], Shape.SCALAR), eps, momentum);
    }

    /** Wraps the given tensors (not copied); all but the count are (c). */
    public static BatchNorm2d of(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                 Tensor numBatchesTracked, float eps, float momentum) {
        return new BatchNorm2d(weight, bias, runningMean, runningVar, numBatchesTracked, eps,
                momentum);
    }

    private BatchNorm2d(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                        Tensor numBatchesTracked, float eps, float momentum) {
        Shape c = Shape.of(weight.size());
        for (Tensor t : new Tensor[] {weight, bias, runningMean, runningVar}) {
            if (!t.shape().equals(c)) {
                throw new IllegalArgumentException("BatchNorm2d: expected every per-channel"
                        + " tensor to be " + c + ", got " + t.shape());
            }
        }
        if (numBatchesTracked.size() != 1) {
            throw new IllegalArgumentException("num_batches_tracked must hold one value, got "
                    + numBatchesTracked.shape());
        }
        this.weight = param("weight", weight);
        this.bias = param("bias", bias);
        buffer("running_mean", runningMean);
        buffer("running_var", runningVar);
        buffer("num_batches_tracked", numBatchesTracked);
        this.eps = eps;
        this.momentum = momentum;
    }

    @Override
    public Variable forward(Variable x) {
        if (!isTraining() || batchNormStatisticsFrozen()) {
            return x.batchNormEval(weight.variable(), bias.variable(), runningMean(),
                    runningVar(), eps);
        }
        Variable y = x.batchNorm(weight.variable(), bias.variable(), runningMean(), runningVar(),
                momentum, eps);
        Tensor count = numBatchesTracked();
        count.addInPlace(1f, count.fullLike(1f));
        return y;
    }

    @Override
    public BatchNorm2d copy() {
        return (BatchNorm2d) super.copy();
    }

    @Override
    protected BatchNorm2d duplicate() {
        return new BatchNorm2d(weight.value().copy(), bias.value().copy(), runningMean().copy(),
                runningVar().copy(), numBatchesTracked().copy(), eps, momentum);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Tensor runningMean() {
        return bufferTensor("running_mean");
    }

    public Tensor runningVar() {
        return bufferTensor("running_var");
    }

    public Tensor numBatchesTracked() {
        return bufferTensor("num_batches_tracked");
    }

    public int channels() {
        return runningMean().size();
    }

    public float eps() {
        return eps;
    }

    public float momentum() {
        return momentum;
    }

    @Override
    public String toString() {
        return "BatchNorm2d(" + channels() + ")";
    }
}
