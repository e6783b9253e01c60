package org.finetune4j.tensor.backend;

import org.finetune4j.tensor.Tensor;

/** Per-sample cross-entropy of logits (n, k), with integer labels or soft targets (n, k). */
public interface LossKernels {
    Tensor crossEntropy(Tensor logits, int[] labels);

    /** dLogits = (softmax − onehot)·dLoss per row. */
    Tensor crossEntropyBackward(Tensor logits, int[] labels, Tensor dLoss);

    Tensor crossEntropySoft(Tensor logits, Tensor targets);

    /** dLogits = (softmax·Σt − t)·dLoss per row. */
    Tensor crossEntropySoftBackward(Tensor logits, Tensor targets, Tensor dLoss);
}
