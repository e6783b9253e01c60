package org.finetune4j.nn.train;

/**
 * One epoch's numbers. Training loss and accuracy are averages over the epoch's batches as they
 * were trained (training mode, augmented, weights still moving), weighted by batch size;
 * validation ones come from an {@link Evaluation} after the epoch, NaN when there was none.
 * {@code lr} is group 0's rate at the epoch's first step; {@code seconds} is wall time including
 * evaluation and checkpointing.
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double valLoss,
                           double valAccuracy, double lr, double seconds) {
    public boolean hasValidation() {
        return !Double.isNaN(valAccuracy);
    }
}
