package org.finetune4j.nn.optim;

import java.util.List;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html). Per parameter w with gradient
 * ∇, group rate γ and weight decay λ, momentum μ, dampening τ:
 * <pre>
 *   g ← ∇ + λ·w
 *   if μ ≠ 0:  b ← g on the parameter's first step, else b ← μ·b + (1 − τ)·g
 *              g ← g + μ·b  (Nesterov)   or   g ← b
 *   w ← w − γ·g
 * </pre>
 * State: "momentum_buffer" (only when μ ≠ 0). Arithmetic is float32, operation by operation in
 * PyTorch's order, in one fused pass per parameter on its backend (OptimizerKernels.sgdUpdate:
 * a loop on the CPU, one kernel on CUDA, bit-identical).
 */
public final class Sgd implements Optimizer {
    /** μ, τ and Nesterov; PyTorch's defaults are 0, 0, false. */
    public record Options(double momentum, double dampening, boolean nesterov) {
        public Options {
            if (!(momentum >= 0)) {
                throw new IllegalArgumentException("invalid momentum " + momentum);
            }
            if (!(dampening >= 0 && dampening <= 1)) {
                throw new IllegalArgumentException("invalid dampening " + dampening);
            }
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and zero"
                        + " dampening (as in PyTorch); got momentum " + momentum + ", dampening "
                        + dampening);
            }
        }

        public static Options plain() {
            return new Options(0, 0, false);
        }

        public static Options momentum(double mu) {
            return new Options(mu, 0, false);
        }

        public static Options nesterov(double mu) {
            return new Options(mu, 0, true);
        }
    }

    private final Options options;
    private final OptimizerState state;

    public Sgd(List<ParamGroup> groups, Options options) {
        this.options = options;
        this.state = new OptimizerState("Sgd", groups,
                options.momentum() == 0 ? List.of() : List.of("momentum_buffer"));
    }

    public Options options() {
        return options;
    }

    @Override
    public OptimizerState state() {
        return state;
    }

    @Override
    public void step() {
        float mu = (float) options.momentum();
        float oneMinusTau = (float) (1 - options.dampening());     // 1 − τ rounded once, as torch
        for (OptimizerState.Slot s : state.slots()) {
            Tensor grad = s.grad();
            if (grad == null) continue;
            boolean first = s.buffers == null;                   // then buf ← g, as PyTorch
            Tensor buf = options.momentum() == 0 ? null : state.buffers(s)[0];    // like w
            Tensor w = s.param.value();
            w.backend().sgdUpdate(w, grad, buf, new SgdStep((float) state.lr(s.group), mu,
                    oneMinusTau, (float) state.weightDecay(s), options.nesterov(), first));
            s.step++;
        }
    }
}
