package org.finetune4j.nn.io;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * Test-only module with PyTorch's key names for conv1 (no bias) → bn1 → fc, the same keys as
 * TinyNet in make_safetensors_fixture.py: conv1.weight, bn1.{weight, bias, running_mean,
 * running_var, num_batches_tracked}, fc.{weight, bias}. Only the state matters here, so forward
 * is the identity.
 */
final class TinyNet extends Module {
    static final int CHANNELS = 2;

    TinyNet(Rng rng, int classes) {
        Part conv1 = child("conv1", new Part());
        Tensor convWeight = Tensor.uniform(rng, -1f, 1f, CHANNELS, 1, 3, 3);    // (out, in, kh, kw)
        conv1.addParam("weight", convWeight);
        Part bn1 = child("bn1", new Part());
        bn1.addParam("weight", Tensor.uniform(rng, 0.5f, 1.5f, CHANNELS));
        bn1.addParam("bias", Tensor.uniform(rng, -1f, 1f, CHANNELS));
        bn1.addBuffer("running_mean", Tensor.uniform(rng, -1f, 1f, CHANNELS));
        bn1.addBuffer("running_var", Tensor.uniform(rng, 0.5f, 2f, CHANNELS));
        bn1.addBuffer("num_batches_tracked", Tensor.scalar(rng.nextInt(1000)));   // torch: 0-d I64
        Part fc = child("fc", new Part());
        fc.addParam("weight", Tensor.uniform(rng, -1f, 1f, classes, CHANNELS));      // (out, in)
        fc.addParam("bias", Tensor.uniform(rng, -1f, 1f, classes));
    }

    TinyNet(long seed) {
        this(Rng.seeded(seed), 3);
    }

    @Override
    public Variable forward(Variable x) {
        return x;
    }

    /** A leaf that registers whatever it is given. */
    static final class Part extends Module {
        void addParam(String name, Tensor t) {
            param(name, t);
        }

        void addBuffer(String name, Tensor t) {
            buffer(name, t);
        }

        @Override
        public Variable forward(Variable x) {
            return x;
        }
    }
}
