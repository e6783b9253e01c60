package org.finetune4j.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * The reference network "resnet-mini" (../shared/anchors/resnet_mini.py) written directly against
 * autograd, for the engine benchmarks: the nn module builds the same network with named modules.
 * stem conv3x3(1→16w)+BN+ReLU; stages of two BasicBlocks at 16w, 32w (stride 2), 64w (stride 2);
 * global average pool; Linear(64w → classes). PyTorch's default initialisation
 * (uniform ±1/√fan_in for conv and linear weights, BN γ = 1, β = 0).
 */
public final class ResNetMini {
    private static final float BN_MOMENTUM = 0.1f;
    private static final float BN_EPS = 1e-5f;

    /** Convolution weight plus its batch norm (γ, β, running statistics). */
    private record ConvBn(Variable w, Variable gamma, Variable beta, Tensor mean, Tensor var, int stride, int pad) {
        Variable forward(Variable x) {
            return x.conv2d(w, null, stride, pad, 1).batchNorm(gamma, beta, mean, var, BN_MOMENTUM, BN_EPS);
        }
    }

    private record Block(ConvBn c1, ConvBn c2, ConvBn shortcut) {
        Variable forward(Variable x) {
            Variable y = c2.forward(c1.forward(x).relu());
            return y.add(shortcut == null ? x : shortcut.forward(x)).relu();
        }
    }

    private final List<Variable> params = new ArrayList<>();
    private final ConvBn stem;
    private final List<Block> blocks = new ArrayList<>();
    private final Variable fcW;
    private final Variable fcB;

    public ResNetMini(int width, int classes, Rng rng) {
        int c1 = 16 * width;
        int c2 = 32 * width;
        int c3 = 64 * width;
        stem = convBn(1, c1, 3, 1, rng);
        int[][] plan = {{c1, c1, 1}, {c1, c1, 1}, {c1, c2, 2}, {c2, c2, 1}, {c2, c3, 2}, {c3, c3, 1}};
        for (int[] p : plan) {
            ConvBn a = convBn(p[0], p[1], 3, p[2], rng);
            ConvBn b = convBn(p[1], p[1], 3, 1, rng);
            ConvBn s = p[2] != 1 || p[0] != p[1] ? convBn(p[0], p[1], 1, p[2], rng) : null;
            blocks.add(new Block(a, b, s));
        }
        float bound = (float) (1 / Math.sqrt(c3));
        fcW = param(Tensor.uniform(rng, -bound, bound, classes, c3));
        fcB = param(Tensor.uniform(rng, -bound, bound, classes));
    }

    private ConvBn convBn(int cin, int cout, int k, int stride, Rng rng) {
        float bound = (float) (1 / Math.sqrt(cin * k * k));
        Variable w = param(Tensor.uniform(rng, -bound, bound, cout, cin, k, k));
        Variable gamma = param(Tensor.ones(cout));
        Variable beta = param(Tensor.zeros(cout));
        return new ConvBn(w, gamma, beta, Tensor.zeros(cout), Tensor.ones(cout), stride, k / 2);
    }

    private Variable param(Tensor t) {
        Variable v = Variable.param(t);
        params.add(v);
        return v;
    }

    public List<Variable> parameters() {
        return params;
    }

    public long parameterCount() {
        long n = 0;
        for (Variable p : params) n += p.value().size();
        return n;
    }

    /** x (n, 1, 28, 28) → logits (n, classes), batch norm in training mode. */
    public Variable forward(Variable x) {
        Variable h = stem.forward(x).relu();
        for (Block b : blocks) h = b.forward(h);
        return h.globalAvgPool().linear(fcW, fcB);
    }

    /** One SGD-with-momentum training step; returns the loss. */
    public float trainStep(Tensor images, int[] labels, List<Tensor> momentum, float lr, float mu) {
        Variable loss = forward(Variable.constant(images)).crossEntropy(labels, Reduction.MEAN);
        for (Variable p : params) p.zeroGrad();
        loss.backward();
        try (NoGrad ignored = NoGrad.enter()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor buf = momentum.get(i);
                buf.scaleInPlace(mu).addInPlace(1f, params.get(i).gradValue());   // buf = μ·buf + g
                params.get(i).value().addInPlace(-lr, buf);                        // w -= lr·buf
            }
        }
        return loss.item();
    }

    public List<Tensor> zeroMomentum() {
        List<Tensor> m = new ArrayList<>();
        for (Variable p : params) m.add(p.value().zerosLike());
        return m;
    }
}
