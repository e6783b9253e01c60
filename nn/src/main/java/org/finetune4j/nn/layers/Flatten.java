package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/** (n, d1, d2, …) → (n, d1·d2·…): PyTorch's nn.Flatten() with its default start_dim = 1. */
public final class Flatten extends Module {
    @Override
    public Variable forward(Variable x) {
        return x.flatten();
    }

    @Override
    protected Flatten duplicate() {
        return new Flatten();
    }
}
