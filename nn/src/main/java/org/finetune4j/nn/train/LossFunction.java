package org.finetune4j.nn.train;

import org.finetune4j.autograd.Variable;

/**
 * The training objective: a scalar (0-d or one-element) loss from logits (n, k) and labels (n),
 * reduced by the mean over the batch (the {@link Trainer} and {@link Evaluation} weight batch
 * means by batch size). {@code new CrossEntropyLoss()::forward} is the usual one.
 */
@FunctionalInterface
public interface LossFunction {
    Variable compute(Variable logits, int[] labels);
}
