package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.NormKernels.BatchNormGrads;
import org.finetune4j.tensor.backend.NormKernels.BatchNormResult;

/**
 * Batch normalisation of x (n, c, …) per channel (PyTorch's F.batch_norm).
 * Training: x̂ = (x − μ_B)·(σ²_B + ε)^−½, y = γ·x̂ + β, with biased batch variance; running
 * statistics updated with momentum using the unbiased variance. Evaluation: μ, σ² are the running
 * statistics (constants).
 * Training backward (m = n·h·w): dβ = Σdy, dγ = Σdy·x̂, dx = γ·rstd/m·(m·dy − dβ − x̂·dγ) by the
 * fused kernel; with a graph to record, the forward is rebuilt from primitives and differentiated.
 */
public final class BatchNorm2d extends Function {
    private final float eps;
    private final Tensor runningMean;                               // (c) or null; updated in forward
    private final Tensor runningVar;
    private final float momentum;
    private Tensor mean;                                            // (c) batch mean, saved
    private Tensor rstd;                                            // (c) 1/sqrt(var + eps), saved

    private BatchNorm2d(Tensor runningMean, Tensor runningVar, float momentum, float eps) {
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.momentum = momentum;
        this.eps = eps;
    }

    public static Variable train(Variable x, Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                                 float momentum, float eps) {
        return new BatchNorm2d(runningMean, runningVar, momentum, eps).apply(x, gamma, beta);
    }

    public static Variable eval(Variable x, Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                                float eps) {
        return new Eval(runningMean, runningVar, eps).apply(x, gamma, beta);
    }

    @Override
    protected Tensor forward(Tensor... in) {
        BatchNormResult r = in[0].backend().batchNormTrainForward(in[0], in[1], in[2], runningMean, runningVar,
                momentum, eps);
        mean = r.mean();
        rstd = r.rstd();
        return r.y();
    }

    @Override
    protected Variable[] backward(Variable dy) {
        Variable x = input(0);
        Variable gamma = input(1);
        Variable beta = input(2);
        if (!GradMode.isEnabled()) {
            BatchNormGrads g = x.value().backend().batchNormBackward(dy.value(), x.value(), gamma.value(), mean,
                    rstd, needsGrad(0), needsGrad(1), needsGrad(2));
            return grads(constant(g.dx()), constant(g.dGamma()), constant(g.dBeta()));
        }
        return Composed.grads(in -> composed(in[0], in[1], in[2]), dy, x, gamma, beta);
    }

    /** The training forward from primitives, for the double-backward path. */
    private Variable composed(Variable x, Variable gamma, Variable beta) {
        int[] axes = statAxes(x);
        Variable mu = x.mean(true, axes);
        Variable centred = x.sub(mu);
        Variable inv = centred.square().mean(true, axes).add(eps).pow(-0.5f);
        return centred.mul(inv).mul(channel(gamma, x)).add(channel(beta, x));
    }

    @Override
    protected void releaseSaved() {
        mean = null;
        rstd = null;
    }

    private static Variable constant(Tensor t) {
        return t == null ? null : Variable.constant(t);
    }

    /** All axes but the channel axis 1. */
    static int[] statAxes(Variable x) {
        int r = x.shape().rank();
        int[] axes = new int[r - 1];
        axes[0] = 0;
        for (int i = 2; i < r; i++) axes[i - 1] = i;
        return axes;
    }

    /** A (c) vector shaped (1, c, 1, …) to broadcast over x. */
    static Variable channel(Variable v, Variable x) {
        int[] dims = new int[x.shape().rank()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = v.dim(0);
        return v.reshape(dims);
    }

    /** Evaluation mode: y = (x − μ_run)·rstd_run·γ + β; every term is a Variable op in backward. */
    private static final class Eval extends Function {
        private final Tensor runningMean;
        private final Tensor runningVar;
        private final float eps;

        Eval(Tensor runningMean, Tensor runningVar, float eps) {
            this.runningMean = runningMean;
            this.runningVar = runningVar;
            this.eps = eps;
        }

        @Override
        public String name() {
            return "BatchNorm2dEval";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return in[0].backend().batchNormEvalForward(in[0], in[1], in[2], runningMean, runningVar, eps);
        }

        @Override
        protected Variable[] backward(Variable dy) {
            Variable x = input(0);
            Variable gamma = input(1);
            Variable mu = channel(Variable.constant(runningMean), x);
            Variable inv = channel(Variable.constant(runningVar.add(eps).apply(
                    org.finetune4j.tensor.backend.ScalarOp.POW, -0.5f)), x);
            int[] axes = statAxes(x);
            Variable dx = needsGrad(0) ? dy.mul(inv).mul(channel(gamma, x)) : null;
            Variable dGamma = needsGrad(1) ? dy.mul(x.sub(mu).mul(inv)).sum(false, axes) : null;
            Variable dBeta = needsGrad(2) ? dy.sum(false, axes) : null;
            return grads(dx, dGamma, dBeta);
        }
    }
}
