package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;

/** y = x, the same Variable; a placeholder where a layer is optional (a removed head, …). */
public final class Identity extends Module {
    @Override
    public Variable forward(Variable x) {
        return x;
    }

    @Override
    protected Identity duplicate() {
        return new Identity();
    }
}
