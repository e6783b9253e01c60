package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * Inverted dropout (PyTorch's nn.Dropout): in training mode each element is zeroed with
 * probability p and the survivors are scaled by 1/(1 − p), so evaluation mode is the identity.
 * The mask comes from this layer's own seeded Rng, so a run is reproducible; a copy continues
 * from the same Rng state, independently.
 */
public final class Dropout extends Module {
    private final float p;
    private final Rng rng;

    public Dropout(float p, Rng rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("Dropout probability must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Variable forward(Variable x) {
        if (!isTraining() || p == 0f) return x;
        Tensor mask = Tensor.bernoulli(rng, 1f - p, x.shape().dims());       // 1 = kept
        float scale = p == 1f ? 0f : 1f / (1f - p);                          // p = 1: all zero
        return x.mul(Variable.constant(mask.mul(scale).to(x.value().device())));
    }

    @Override
    protected Dropout duplicate() {
        return new Dropout(p, Rng.fromState(rng.state()));
    }

    public float p() {
        return p;
    }
}
