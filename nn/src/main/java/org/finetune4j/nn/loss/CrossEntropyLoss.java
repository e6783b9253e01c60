package org.finetune4j.nn.loss;

import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;

/**
 * PyTorch's nn.CrossEntropyLoss(label_smoothing = ε) on logits (n, k) and integer labels (n):
 *   ℓ_i = (1 − ε)·(−log p_{i,y_i}) + ε·(1/k)·Σ_c (−log p_{i,c}),   p = softmax(logits)
 * reduced by mean (default), sum or none (per sample, shape (n)). ε = 0 is plain cross-entropy.
 * Composed from Variable ops, so it differentiates to any order.
 */
public record CrossEntropyLoss(float labelSmoothing, Reduction reduction) {

    public CrossEntropyLoss {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], got "
                    + labelSmoothing);
        }
    }

    /** Mean cross-entropy without smoothing. */
    public CrossEntropyLoss() {
        this(0f, Reduction.MEAN);
    }

    public static CrossEntropyLoss withLabelSmoothing(float epsilon) {
        return new CrossEntropyLoss(epsilon, Reduction.MEAN);
    }

    public Variable forward(Variable logits, int[] labels) {
        if (logits.shape().rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException("cross-entropy needs logits (n, k) and n labels,"
                    + " got " + logits.shape() + " and " + labels.length + " labels");
        }
        Variable nll = logits.crossEntropy(labels, Reduction.NONE);              // (n)
        if (labelSmoothing == 0f) return Losses.reduce(nll, reduction);
        Variable uniform = logits.logSoftmax(1).mean(false, 1).neg();            // (n)
        Variable perSample = nll.mul(1f - labelSmoothing).add(uniform.mul(labelSmoothing));
        return Losses.reduce(perSample, reduction);
    }
}
