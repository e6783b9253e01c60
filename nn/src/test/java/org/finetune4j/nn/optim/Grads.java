package org.finetune4j.nn.optim;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Tensor;

/** Test helper: gives a parameter an exact gradient through the public autograd API. */
final class Grads {
    private Grads() {}

    /** Afterwards p.grad() holds g's values exactly: ∂(Σ p ⊙ g)/∂p = 1 · g. */
    static void set(Parameter p, Tensor g) {
        p.zeroGrad();
        p.variable().mul(Variable.constant(g)).sum().backward();
    }
}
