package org.finetune4j.nn.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one INFO line per epoch through SLF4J (epochs shown 1-based, "epoch 3/10"), for runs
 * without a terminal. Nothing per batch.
 */
public final class LoggingListener implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingListener.class);
    private int epochs;

    @Override
    public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
        if (firstEpoch > 0) LOG.info("continuing at epoch {}/{}", firstEpoch + 1, epochs);
    }

    @Override
    public void onEpochEnd(EpochMetrics m) {
        LOG.info(describe(m, epochs));
    }

    /** "epoch 3/10  train loss 0.4321 acc 84.50%  val loss … acc …%  lr 0.0905  7.3 s". */
    public static String describe(EpochMetrics m, int epochs) {
        String line = String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f acc %.2f%%",
                m.epoch() + 1, epochs, m.trainLoss(), 100 * m.trainAccuracy());
        if (m.hasValidation()) {
            line += String.format(Locale.ROOT, "  val loss %.4f acc %.2f%%", m.valLoss(),
                    100 * m.valAccuracy());
        }
        return line + String.format(Locale.ROOT, "  lr %.4g  %.1f s", m.lr(), m.seconds());
    }
}
