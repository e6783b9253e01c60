package org.finetune4j.nn.train;

/**
 * Thrown when a training loss is NaN or infinite, before its backward pass and optimiser step,
 * so the parameters are still those that produced the last finite loss (batch-norm running
 * statistics did see the failing forward). The message names where it happened and the last
 * finite loss, the usual clues to a too-high learning rate or bad inputs.
 */
public final class NonFiniteLossException extends ArithmeticException {
    private final int epoch;
    private final int batch;
    private final long step;
    private final double loss;
    private final double lastFiniteLoss;               // NaN when the first step already failed

    public NonFiniteLossException(int epoch, int batch, long step, double loss,
                                  double lastFiniteLoss, long lastFiniteStep, double lr) {
        super("training loss is " + loss + " at epoch " + epoch + " (0-based), batch " + batch
                + " of the epoch, step " + step + "; "
                + (Double.isNaN(lastFiniteLoss) ? "no finite loss before it in this session"
                        : "last finite loss " + lastFiniteLoss + " at step " + lastFiniteStep)
                + "; learning rate " + lr + ". The step was not applied. Usual causes: a learning"
                + " rate too high, or NaN/Inf in the inputs or labels out of range.");
        this.epoch = epoch;
        this.batch = batch;
        this.step = step;
        this.loss = loss;
        this.lastFiniteLoss = lastFiniteLoss;
    }

    public int epoch() {
        return epoch;
    }

    public int batch() {
        return batch;
    }

    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    public double lastFiniteLoss() {
        return lastFiniteLoss;
    }
}
