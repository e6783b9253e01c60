package org.finetune4j.nn.optim;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * Test-only two-layer perceptron with a "body" and a "head", so the state-dict keys are the
 * dotted names a real network has (body.weight, head.bias, …): x (n, 3) → relu(body) (n, 4) →
 * head (n, 2). Loss: the mean of the squared outputs, enough to give every parameter a gradient.
 */
final class TinyModel extends Module {
    private final Dense body;
    private final Dense head;

    TinyModel(long seed) {
        Rng rng = Rng.seeded(seed);
        body = child("body", new Dense(rng, 3, 4));
        head = child("head", new Dense(rng, 4, 2));
    }

    @Override
    public Variable forward(Variable x) {
        return head.forward(body.forward(x).relu());
    }

    /** One forward and backward on a batch drawn from rng; gradients accumulate on the leaves. */
    void lossAndBackward(Rng rng) {
        Variable x = Variable.constant(Tensor.uniform(rng, -1f, 1f, 5, 3));   // (n, in)
        forward(x).square().mean().backward();
    }

    Module body() {
        return body;
    }

    /** y = x·Wᵀ + b with W (out, in). */
    static final class Dense extends Module {
        private final Parameter weight;
        private final Parameter bias;

        Dense(Rng rng, int in, int out) {
            weight = param("weight", Tensor.uniform(rng, -1f, 1f, out, in));
            bias = param("bias", Tensor.uniform(rng, -0.5f, 0.5f, out));
        }

        @Override
        public Variable forward(Variable x) {
            return x.linear(weight.variable(), bias.variable());
        }
    }
}
