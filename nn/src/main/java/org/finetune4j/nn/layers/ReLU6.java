package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/** min(max(0, x), 6), elementwise; no parameters. */
public final class ReLU6 extends Module {
    @Override
    public Variable forward(Variable x) {
        return x.relu6();
    }

    @Override
    protected ReLU6 duplicate() {
        return new ReLU6();
    }
}
