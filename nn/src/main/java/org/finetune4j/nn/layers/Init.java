package org.finetune4j.nn.layers;

import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch 1.13's default initialisations, so a network built here starts from the same
 * distribution as its PyTorch twin (the values differ: our Rng is not torch's generator).
 */
final class Init {
    private Init() {}

    /**
     * kaiming_uniform_(w, a=√5) as Conv2d/Linear.reset_parameters(): gain √(2/(1+a²)) = √(1/3),
     * bound = gain·√3/√fan_in = 1/√fan_in. fan_in = dims[1]·(receptive field).
     */
    static Tensor kaimingUniform(Rng rng, int... dims) {
        float bound = (float) (1 / Math.sqrt(fanIn(dims)));
        return Tensor.uniform(rng, -bound, bound, dims);
    }

    /** The bias rule of Conv2d/Linear: U(−1/√fan_in, 1/√fan_in), fan_in of the weight. */
    static Tensor biasUniform(Rng rng, int fanIn, int n) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        return Tensor.uniform(rng, -bound, bound, n);
    }

    /** fan_in of a weight (out, in, k…): in · Π k. */
    static int fanIn(int... dims) {
        int f = dims[1];
        for (int i = 2; i < dims.length; i++) f *= dims[i];
        return f;
    }
}
