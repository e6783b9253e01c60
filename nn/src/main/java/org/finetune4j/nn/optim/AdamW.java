package org.finetune4j.nn.optim;

import java.util.List;

/**
 * AdamW as torch.optim.AdamW in PyTorch 1.13
 * (https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html): Adam with the weight decay
 * decoupled from the gradient (Loshchilov &amp; Hutter). Per parameter, with the notation of
 * {@link Adam}:
 * <pre>
 *   w ← (1 − γλ)·w                 decoupled decay, before and independent of the moments
 *   m ← β₁·m + (1 − β₁)·∇;   v ← β₂·v + (1 − β₂)·∇²;   amsgrad: v̂ ← max(v̂, v)
 *   w ← w − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * The decay uses the group's current (scheduled) γ, as PyTorch does. PyTorch's default λ for AdamW
 * is 1e-2; here λ comes from each {@link ParamGroup}. The pass over w is Adam's, with its L2 term
 * off and the decay factor on. State: as Adam, written under the name "AdamW".
 */
public final class AdamW implements Optimizer {
    private final Adam adam;

    public AdamW(List<ParamGroup> groups, Adam.Options options) {
        this.adam = new Adam(groups, options, true, "AdamW");
    }

    public Adam.Options options() {
        return adam.options();
    }

    @Override
    public OptimizerState state() {
        return adam.state();
    }

    @Override
    public void step() {
        adam.step();
    }
}
