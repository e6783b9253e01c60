package org.finetune4j.nn.train;

import java.nio.file.Path;
import org.finetune4j.nn.data.Augment;
import org.finetune4j.nn.data.Normalize;

/**
 * The settings of a {@link Trainer} run. {@link #of} gives the defaults; the with* methods change
 * one setting each.
 *
 * @param epochs          total epochs (a resumed run continues up to this count)
 * @param batchSize       training mini-batch size; the last batch of an epoch may be smaller
 * @param seed            seeds data order and augmentation (a pure function of (seed, epoch), see
 *                        {@code Loader}) and the trainer's own generator ({@link Trainer#rng()})
 * @param augment         training-time augmentation (default none); evaluation never augments
 * @param normalize       applied to training and evaluation batches after augmentation; null
 *                        (default) leaves images as stored
 * @param lrStepping      when the schedule advances: t = epoch (default) or t = global step
 * @param evaluateEachEpoch evaluate the validation set after every epoch (default true)
 * @param evalBatchSize   batch size of evaluation (default 256; results do not depend on it
 *                        beyond float summation order)
 * @param checkpoint      training checkpoint rewritten atomically after every epoch, for
 *                        {@link Trainer#resumeFrom}; null (default) writes none
 * @param prefetch        training batches built ahead on a background thread (default 0)
 */
public record TrainConfig(int epochs, int batchSize, long seed, Augment augment,
                          Normalize normalize, LrStepping lrStepping, boolean evaluateEachEpoch,
                          int evalBatchSize, Path checkpoint, int prefetch) {

    /** Whether {@code LrSchedule.lr(base, t)} is called with t = epoch or t = global step. */
    public enum LrStepping { PER_EPOCH, PER_STEP }

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1 || evalBatchSize < 1) {
            throw new IllegalArgumentException("batch sizes must be >= 1, got " + batchSize
                    + " (training) and " + evalBatchSize + " (evaluation)");
        }
        if (prefetch < 0) throw new IllegalArgumentException("prefetch must be >= 0: " + prefetch);
        if (augment == null || lrStepping == null) {
            throw new IllegalArgumentException("augment and lrStepping must not be null"
                    + " (use Augment.NONE)");
        }
    }

    public static TrainConfig of(int epochs, int batchSize, long seed) {
        return new TrainConfig(epochs, batchSize, seed, Augment.NONE, null, LrStepping.PER_EPOCH,
                true, 256, null, 0);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, seed, augment, normalize, lrStepping,
                evaluateEachEpoch, evalBatchSize, checkpoint, prefetch);
    }

    public TrainConfig withAugment(Augment a) {
        return new TrainConfig(epochs, batchSize, seed, a, normalize, lrStepping,
                evaluateEachEpoch, evalBatchSize, checkpoint, prefetch);
    }

    public TrainConfig withNormalize(Normalize n) {
        return new TrainConfig(epochs, batchSize, seed, augment, n, lrStepping,
                evaluateEachEpoch, evalBatchSize, checkpoint, prefetch);
    }

    public TrainConfig withLrStepping(LrStepping s) {
        return new TrainConfig(epochs, batchSize, seed, augment, normalize, s,
                evaluateEachEpoch, evalBatchSize, checkpoint, prefetch);
    }

    public TrainConfig withEvaluation(boolean eachEpoch, int batch) {
        return new TrainConfig(epochs, batchSize, seed, augment, normalize, lrStepping, eachEpoch,
                batch, checkpoint, prefetch);
    }

    public TrainConfig withCheckpoint(Path file) {
        return new TrainConfig(epochs, batchSize, seed, augment, normalize, lrStepping,
                evaluateEachEpoch, evalBatchSize, file, prefetch);
    }

    public TrainConfig withPrefetch(int depth) {
        return new TrainConfig(epochs, batchSize, seed, augment, normalize, lrStepping,
                evaluateEachEpoch, evalBatchSize, checkpoint, depth);
    }
}
