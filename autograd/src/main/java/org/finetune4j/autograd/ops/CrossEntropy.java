package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.GradMode;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * Per-sample cross-entropy of logits z (n, k):
 *   hard labels:  ℓ_i = −log softmax(z_i)[y_i]          dz_i = (softmax(z_i) − onehot(y_i))·dℓ_i
 *   soft targets: ℓ_i = −Σ_k t_ik log softmax(z_i)_k     dz_i = (softmax(z_i)·Σ_k t_ik − t_i)·dℓ_i
 *                                                         dt_i = −log softmax(z_i)·dℓ_i
 * Reductions (mean, sum) are applied by the caller with ordinary ops.
 */
public final class CrossEntropy extends Function {
    private final int[] labels;                                      // null for soft targets

    private CrossEntropy(int[] labels) {
        this.labels = labels;
    }

    public static Variable hard(int[] labels, Variable logits) {
        return new CrossEntropy(labels.clone()).apply(logits);
    }

    public static Variable soft(Variable logits, Variable targets) {
        return new CrossEntropy(null).apply(logits, targets);
    }

    @Override
    public String name() {
        return labels == null ? "CrossEntropySoft" : "CrossEntropy";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        return labels == null ? in[0].backend().crossEntropySoft(in[0], in[1])
                : in[0].backend().crossEntropy(in[0], labels);
    }

    @Override
    protected Variable[] backward(Variable dLoss) {
        Variable z = input(0);
        if (!GradMode.isEnabled()) {
            Tensor d = dLoss.value();
            if (labels != null) {
                return grads(Variable.constant(z.value().backend().crossEntropyBackward(z.value(), labels, d)));
            }
            Tensor t = input(1).value();
            Variable dz = needsGrad(0)
                    ? Variable.constant(z.value().backend().crossEntropySoftBackward(z.value(), t, d)) : null;
            Variable dt = needsGrad(1) ? Variable.constant(z.value().backend().logSoftmax(z.value(), 1)
                    .mul(d.reshape(-1, 1)).neg()) : null;
            return grads(dz, dt);
        }
        Variable column = dLoss.reshape(-1, 1);                     // (n, 1): broadcasts over classes
        if (labels != null) {
            Variable onehot = Variable.constant(z.value().backend().oneHot(labels, z.dim(1)));
            return grads(z.softmax(1).sub(onehot).mul(column));
        }
        Variable t = input(1);
        Variable dz = needsGrad(0) ? z.softmax(1).mul(t.sum(true, 1)).sub(t).mul(column) : null;
        Variable dt = needsGrad(1) ? z.logSoftmax(1).mul(column).neg() : null;
        return grads(dz, dt);
    }
}
