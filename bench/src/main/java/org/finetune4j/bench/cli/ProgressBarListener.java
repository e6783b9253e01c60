package org.finetune4j.bench.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.finetune4j.nn.train.EpochMetrics;
import org.finetune4j.nn.train.LoggingListener;
import org.finetune4j.nn.train.TrainingListener;

/**
 * A terminal progress bar per epoch (me.tongfei:progressbar, on stderr) showing the batch loss,
 * then the epoch's summary line. Only for interactive terminals; logs replace it otherwise.
 */
final class ProgressBarListener implements TrainingListener, AutoCloseable {
    private final PrintStream summary;
    private ProgressBar bar;
    private int epochs;

    ProgressBarListener(PrintStream summary) {
        this.summary = summary;
    }

    @Override
    public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
        this.epochs = epochs;
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        close();
        bar = new ProgressBarBuilder()
                .setTaskName("epoch " + (epoch + 1) + "/" + epochs)
                .setInitialMax(batches)
                .setUnit(" batches", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .build();
    }

    @Override
    public void onBatch(int epoch, long step, double loss, double lr) {
        bar.step();
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss));
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics) {
        close();
        summary.println(LoggingListener.describe(metrics, epochs));
    }

    /** Closes the open bar, if any (also when training stopped with an exception). */
    @Override
    public void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
