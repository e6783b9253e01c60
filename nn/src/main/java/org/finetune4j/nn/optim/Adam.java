package org.finetune4j.nn.optim;

import java.util.List;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;

/**
 * Adam as torch.optim.Adam in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html), weight decay as an L2 term in
 * the gradient. Per parameter w with gradient ∇, group rate γ and weight decay λ, betas β₁, β₂,
 * ε, and t the parameter's own step count (1 on its first update):
 * <pre>
 *   g ← ∇ + λ·w
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   amsgrad:  v̂ ← max(v̂, v), and v̂ replaces v below
 *   w ← w − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * ε is added after the bias correction of √v, as in PyTorch and the paper's Algorithm 1 (not
 * the ε̂ on uncorrected √v of the paper's faster variant). m, v, v̂ start at zero. State:
 * "exp_avg", "exp_avg_sq", plus "max_exp_avg_sq" with amsgrad. Arithmetic is float32 per
 * operation in PyTorch's order, with the scalar factors computed in double and rounded once, as
 * PyTorch computes them in Python (OptimizerKernels.AdamStep.of), in one fused pass per
 * parameter on its backend (adamUpdate: a loop on the CPU, one kernel on CUDA, bit-identical).
 */
public final class Adam implements Optimizer {
    /** β₁, β₂, ε and AMSGrad; {@link #defaults()} are PyTorch's. */
    public record Options(double beta1, double beta2, double eps, boolean amsgrad) {
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("invalid beta1 " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("invalid beta2 " + beta2);
            }
            if (!(eps >= 0)) throw new IllegalArgumentException("invalid eps " + eps);
        }

        /** β = (0.9, 0.999), ε = 1e-8, no AMSGrad. */
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-8, false);
        }
    }

    private final Options options;
    private final OptimizerState state;
    private final boolean decoupled;            // AdamW: decay w directly instead of via g

    public Adam(List<ParamGroup> groups, Options options) {
        this(groups, options, false, "Adam");
    }

    Adam(List<ParamGroup> groups, Options options, boolean decoupled, String name) {
        this.options = options;
        this.decoupled = decoupled;
        this.state = new OptimizerState(name, groups, options.amsgrad()
                ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                : List.of("exp_avg", "exp_avg_sq"));
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
        for (OptimizerState.Slot s : state.slots()) {
            Tensor grad = s.grad();
            if (grad == null) continue;
            Tensor[] buffers = state.buffers(s);                  // each shaped like w
            long t = ++s.step;
            AdamStep step = AdamStep.of(state.lr(s.group), options.beta1(), options.beta2(),
                    options.eps(), state.weightDecay(s), t, decoupled);
            Tensor w = s.param.value();
            w.backend().adamUpdate(w, grad, buffers[0], buffers[1],
                    options.amsgrad() ? buffers[2] : null, step);
        }
    }
}
