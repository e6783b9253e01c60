package org.finetune4j.nn.train;

/**
 * Progress callbacks of a {@link Trainer}, all on the training thread, so a user interface (the
 * CLI's progress bar) or a logger hooks in without the library depending on either. Epochs are
 * 0-based, as in {@code Loader.epoch(e)} and {@code LrSchedule.lr(base, t)}; {@code step} counts
 * optimiser steps over the whole run from 0 and continues across a resume.
 */
public interface TrainingListener {
    /** Before the first epoch of this call to fit: epochs firstEpoch..epochs−1 will run. */
    default void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {}

    default void onEpochStart(int epoch, int batches) {}

    /** After the optimiser step; loss is the batch's (finite) loss, lr group 0's rate. */
    default void onBatch(int epoch, long step, double loss, double lr) {}

    /** After evaluation and after the epoch's checkpoint was written. */
    default void onEpochEnd(EpochMetrics metrics) {}

    default void onTrainingEnd(MetricHistory history) {}
}
