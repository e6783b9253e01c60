package org.finetune4j.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.schedule.CosineLr;
import org.finetune4j.nn.schedule.LrSchedule;
import org.junit.jupiter.api.Test;

class TrainingListenerTest {
    private static final Dataset TRAIN = TinyTraining.data(48, 1);      // batches 10,10,10,10,8

    /** Writes every call down as text, and keeps the batch losses and epoch metrics. */
    private static final class Recorder implements TrainingListener {
        final List<String> calls = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        final List<Double> rates = new ArrayList<>();
        final List<EpochMetrics> ended = new ArrayList<>();
        MetricHistory finished;

        @Override
        public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
            calls.add("start " + firstEpoch + " " + epochs + " " + batchesPerEpoch);
        }

        @Override
        public void onEpochStart(int epoch, int batches) {
            calls.add("epoch " + epoch + " " + batches);
        }

        @Override
        public void onBatch(int epoch, long step, double loss, double lr) {
            calls.add("batch " + epoch + " " + step);
            losses.add(loss);
            rates.add(lr);
        }

        @Override
        public void onEpochEnd(EpochMetrics metrics) {
            calls.add("end " + metrics.epoch());
            ended.add(metrics);
        }

        @Override
        public void onTrainingEnd(MetricHistory history) {
            calls.add("done");
            finished = history;
        }
    }

    @Test
    void listenersSeeEveryEpochAndBatchInOrder() throws IOException {
        ResNet net = TinyTraining.model(3);
        Recorder r = new Recorder();
        Trainer t = new Trainer(net, TinyTraining.sgd(net), new CosineLr(2, 0),
                new CrossEntropyLoss()::forward, TrainConfig.of(2, 10, 5));
        MetricHistory h = t.addListener(r).fit(TRAIN, TinyTraining.data(9, 2));

        List<String> expected = new ArrayList<>(List.of("start 0 2 5"));
        for (int e = 0; e < 2; e++) {
            expected.add("epoch " + e + " 5");
            for (int b = 0; b < 5; b++) expected.add("batch " + e + " " + (5 * e + b));
            expected.add("end " + e);
        }
        expected.add("done");
        assertEquals(expected, r.calls);
        assertSame(h, r.finished);
        assertEquals(h.epochs(), r.ended);
        for (int e = 0; e < 2; e++) {
            double weighted = 0;                                         // batch means × sizes
            for (int b = 0; b < 5; b++) weighted += r.losses.get(5 * e + b) * (b < 4 ? 10 : 8);
            assertEquals(weighted / 48, h.epochs().get(e).trainLoss(), 1e-12, "epoch " + e);
            assertEquals(0.1 * (1 + Math.cos(Math.PI * e / 2)) / 2, h.epochs().get(e).lr(), 1e-15);
            for (int b = 0; b < 5; b++) {
                assertEquals(h.epochs().get(e).lr(), r.rates.get(5 * e + b), "lr of step " + b);
            }
            double rightOf9 = h.epochs().get(e).valAccuracy() * 9;          // a count of 9 images
            assertEquals(Math.rint(rightOf9), rightOf9, 1e-9, "validation accuracy × 9");
        }
    }

    @Test
    void perStepSteppingAdvancesTheScheduleEveryBatch() throws IOException {
        ResNet net = TinyTraining.model(3);
        Recorder r = new Recorder();
        LrSchedule schedule = new CosineLr(10, 0);
        TrainConfig config = TrainConfig.of(2, 10, 5)
                .withLrStepping(TrainConfig.LrStepping.PER_STEP);
        new Trainer(net, TinyTraining.sgd(net), schedule, new CrossEntropyLoss()::forward, config)
                .addListener(r).fit(TRAIN, null);
        assertEquals(10, r.rates.size());
        for (int s = 0; s < 10; s++) {
            assertEquals(schedule.lr(0.1, s), r.rates.get(s), 1e-15, "lr at step " + s);
        }
        assertEquals(Double.NaN, r.ended.get(0).valLoss());
    }
}
