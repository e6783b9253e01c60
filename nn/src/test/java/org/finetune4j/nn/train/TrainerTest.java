package org.finetune4j.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.data.Augment;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.schedule.CosineLr;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final Dataset TRAIN = TinyTraining.data(48, 1);
    private static final Dataset VAL = TinyTraining.data(12, 2);
    private static final TrainConfig CONFIG = TrainConfig.of(2, 8, 7)
            .withAugment(new Augment(1, true));

    /** Cross-entropy with a label smoothing drawn from the trainer's Rng at every step. */
    private static final class NoisyLoss implements LossFunction {
        Trainer trainer;

        @Override
        public Variable compute(Variable logits, int[] labels) {
            float epsilon = 0.2f * trainer.rng().nextFloat();
            return CrossEntropyLoss.withLabelSmoothing(epsilon).forward(logits, labels);
        }
    }

    private static Trainer trainer(ResNet net, TrainConfig config) {
        NoisyLoss loss = new NoisyLoss();
        Trainer t = new Trainer(net, TinyTraining.sgd(net), new CosineLr(2, 0), loss, config);
        loss.trainer = t;
        return t;
    }

    private static final class SimulatedKill extends RuntimeException {}

    @Test
    void sameSeedGivesBitIdenticalWeightsAfterAnEpoch() throws IOException {
        ResNet a = TinyTraining.model(3);
        ResNet b = TinyTraining.model(3);
        trainer(a, CONFIG.withEpochs(1)).fit(TRAIN, VAL);
        trainer(b, CONFIG.withEpochs(1)).fit(TRAIN, VAL);
        TinyTraining.assertBitIdentical(a, b);

        ResNet other = TinyTraining.model(3);
        trainer(other, TrainConfig.of(1, 8, 8).withAugment(new Augment(1, true))).fit(TRAIN, VAL);
        assertFalse(Arrays.equals(TinyTraining.bits(a.fc().weight().value()),
                TinyTraining.bits(other.fc().weight().value())), "another seed must differ");
    }

    @Test
    void resumingAfterASimulatedKillMatchesAnUninterruptedRun(@TempDir Path dir)
            throws IOException {
        ResNet straight = TinyTraining.model(3);
        Trainer uninterrupted = trainer(straight, CONFIG.withCheckpoint(dir.resolve("a.st")));
        uninterrupted.fit(TRAIN, VAL);

        Path checkpoint = dir.resolve("b.st");
        Trainer killed = trainer(TinyTraining.model(3), CONFIG.withCheckpoint(checkpoint));
        killed.addListener(new TrainingListener() {
            @Override
            public void onEpochEnd(EpochMetrics metrics) {
                throw new SimulatedKill();              // after epoch 0's checkpoint was written
            }
        });
        assertThrows(SimulatedKill.class, () -> killed.fit(TRAIN, VAL));

        ResNet resumedNet = TinyTraining.model(99);    // other weights: the checkpoint must win
        Trainer resumed = trainer(resumedNet, CONFIG.withCheckpoint(checkpoint));
        resumed.resumeFrom(checkpoint);
        assertEquals(1, resumed.completedEpochs());
        assertEquals(6, resumed.step());
        MetricHistory h = resumed.fit(TRAIN, VAL);

        TinyTraining.assertBitIdentical(straight, resumedNet);
        assertEquals(uninterrupted.rng().state(), resumed.rng().state());
        assertEquals(12, resumed.step());
        assertEquals(2, h.size());
        for (int e = 0; e < 2; e++) {
            EpochMetrics u = uninterrupted.history().epochs().get(e);
            EpochMetrics r = h.epochs().get(e);
            assertEquals(u.trainLoss(), r.trainLoss(), 0.0, "train loss of epoch " + e);
            assertEquals(u.valAccuracy(), r.valAccuracy(), 0.0, "val accuracy of epoch " + e);
            assertEquals(u.lr(), r.lr(), 0.0, "lr of epoch " + e);
        }
    }

    @Test
    void resumeRefusesACheckpointOfAnotherSeed(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve("c.st");
        trainer(TinyTraining.model(3), CONFIG.withEpochs(1).withCheckpoint(checkpoint))
                .fit(TRAIN, null);
        Trainer other = trainer(TinyTraining.model(3), TrainConfig.of(2, 8, 8));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> other.resumeFrom(checkpoint));
        assertTrue(e.getMessage().contains("seed = 7") && e.getMessage().contains("seed = 8"),
                e.getMessage());
    }

    @Test
    void nanLossStopsBeforeTheStepNamingEpochStepAndLastFiniteLoss() throws IOException {
        ResNet net = TinyTraining.model(3);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        long[] calls = {0};
        LossFunction poisoned = (logits, labels) -> {
            Variable l = ce.forward(logits, labels);
            return calls[0]++ == 8 ? l.mul(Float.NaN) : l;               // step 8: epoch 1, batch 2
        };
        Optimizer sgd = TinyTraining.sgd(net);
        Trainer t = new Trainer(net, sgd, new CosineLr(2, 0), poisoned, CONFIG);
        double[] lastLoss = {0};
        AtomicReference<Map<String, Tensor>> before = new AtomicReference<>();
        t.addListener(new TrainingListener() {
            @Override
            public void onBatch(int epoch, long step, double loss, double lr) {
                lastLoss[0] = loss;
                Map<String, Tensor> params = new LinkedHashMap<>();
                net.namedParameters().forEach((k, p) -> params.put(k, p.value().copy()));
                before.set(params);
            }
        });
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> t.fit(TRAIN, VAL));
        assertEquals(1, e.epoch());
        assertEquals(2, e.batch());
        assertEquals(8, e.step());
        assertTrue(Double.isNaN(e.loss()));
        assertEquals(lastLoss[0], e.lastFiniteLoss(), 0.0);
        String msg = e.getMessage();
        assertTrue(msg.contains("NaN") && msg.contains("epoch 1") && msg.contains("step 8")
                && msg.contains("last finite loss " + lastLoss[0]), msg);
        before.get().forEach((k, v) -> assertArrayEquals(TinyTraining.bits(v),
                TinyTraining.bits(net.stateDict().get(k)), "'" + k + "' changed by the NaN step"));
        assertEquals(11, before.get().size(), "parameters of the tiny net");
    }

    @Test
    void infiniteLossIsCaughtOnTheFirstStep() {
        ResNet net = TinyTraining.model(3);
        LossFunction inf = (logits, labels) -> logits.sum().mul(0f).add(Float.POSITIVE_INFINITY);
        Trainer t = new Trainer(net, TinyTraining.sgd(net), new CosineLr(2, 0), inf, CONFIG);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> t.fit(TRAIN, null));
        assertEquals(0, e.step());
        assertTrue(e.getMessage().contains("Infinity")
                && e.getMessage().contains("no finite loss before it"), e.getMessage());
    }
}
