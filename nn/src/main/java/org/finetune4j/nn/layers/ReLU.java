package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/** max(0, x), elementwise; no parameters. The gradient at 0 is 0, as in PyTorch. */
public final class ReLU extends Module {
    @Override
    public Variable forward(Variable x) {
        return x.relu();
    }

    @Override
    protected ReLU duplicate() {
        return new ReLU();
    }
}
