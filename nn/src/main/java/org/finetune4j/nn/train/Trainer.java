package org.finetune4j.nn.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.Loader;
import org.finetune4j.nn.io.Checkpoint;
import org.finetune4j.nn.io.TrainingState;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.schedule.LrSchedule;
import org.finetune4j.tensor.Rng;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised training: for each epoch, set the learning rate from the schedule, then per batch
 * zero the gradients, forward, compute the loss, stop on NaN/Inf, backward, step; then evaluate
 * the validation set, record {@link EpochMetrics}, write the checkpoint, notify listeners.
 *
 * <p>Determinism: batches are a pure function of (seed, epoch) and the engine's kernels are
 * deterministic, so the same seed and settings give bit-identical weights. Resume: the checkpoint
 * written after each epoch holds the weights and buffers, the optimiser's state, the position
 * (epochs done, step), the trainer's {@link #rng()} state and the metric history; a fresh
 * Trainer over freshly built objects continues bit-identically after {@link #resumeFrom}.
 * Randomness that a module keeps to itself (a Dropout's Rng) is not in the checkpoint.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final String META_SEED = "seed";
    private static final String META_BATCH = "batch_size";
    private static final String META_STEPPING = "lr_stepping";
    private static final String META_HISTORY = "history_csv";

    private final Module model;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final LossFunction loss;
    private final TrainConfig config;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Rng rng;
    private int completedEpochs;
    private long step;                          // optimiser steps taken so far
    private double lastFiniteLoss = Double.NaN; // of step − 1, for the NaN/Inf report
    private MetricHistory history = new MetricHistory();

    public Trainer(Module model, Optimizer optimizer, LrSchedule schedule, LossFunction loss,
                   TrainConfig config) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.loss = loss;
        this.config = config;
        this.rng = Rng.seeded(config.seed()).split();   // not the Loader's stream of the same seed
    }

    public Trainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * The run's generator, for randomness of a loss or of the caller between steps (mixup,
     * noise); saved in every checkpoint and restored by {@link #resumeFrom}.
     */
    public Rng rng() {
        return rng;
    }

    public int completedEpochs() {
        return completedEpochs;
    }

    public long step() {
        return step;
    }

    public MetricHistory history() {
        return history;
    }

    public TrainConfig config() {
        return config;
    }

    /**
     * Restores a checkpoint written by this class: weights (strictly), optimiser state, position,
     * generator and history. The seed, batch size and lr stepping must equal this trainer's,
     * since the continuation would not be the same run otherwise.
     */
    public void resumeFrom(Path file) throws IOException {
        TrainingState state = Checkpoint.load(file, model);
        Map<String, String> meta = state.metadata();
        expect(file, meta, META_SEED, Long.toString(config.seed()));
        expect(file, meta, META_BATCH, Integer.toString(config.batchSize()));
        expect(file, meta, META_STEPPING, config.lrStepping().name());
        optimizer.loadState(state.optimizer(), state.optimizerScalars());
        rng = state.rng();
        completedEpochs = Math.toIntExact(state.epoch());
        step = state.step();
        history = MetricHistory.fromCsv(meta.getOrDefault(META_HISTORY, MetricHistory.CSV_HEADER));
        LOG.info("resumed from {} after epoch {} (step {})", file, completedEpochs - 1, step);
    }

    private static void expect(Path file, Map<String, String> meta, String key, String value) {
        if (!value.equals(meta.get(key))) {
            throw new IllegalStateException("cannot resume from " + file + ": it was trained with "
                    + key + " = " + meta.get(key) + ", this run has " + key + " = " + value);
        }
    }

    /**
     * Trains the remaining epochs (all of them, unless resumed) and returns the history.
     * validation may be null (no validation metrics). Leaves the model in training mode.
     */
    public MetricHistory fit(Dataset train, Dataset validation) throws IOException {
        try (Loader loader = Loader.builder(train, config.batchSize()).shuffle(true)
                .seed(config.seed()).augment(config.augment()).normalize(config.normalize())
                .prefetch(config.prefetch()).device(model.device()).build()) {
            int batches = loader.batchesPerEpoch();
            for (TrainingListener l : listeners) {
                l.onTrainingStart(completedEpochs, config.epochs(), batches);
            }
            model.train();
            while (completedEpochs < config.epochs()) {
                EpochMetrics m = runEpoch(loader, completedEpochs, validation);
                history.add(m);
                completedEpochs++;
                if (config.checkpoint() != null) saveCheckpoint(config.checkpoint());
                LOG.debug("epoch {}: {}", m.epoch(), m);
                for (TrainingListener l : listeners) l.onEpochEnd(m);
            }
        }
        for (TrainingListener l : listeners) l.onTrainingEnd(history);
        return history;
    }

    private EpochMetrics runEpoch(Loader loader, int epoch, Dataset validation) {
        long t0 = System.nanoTime();
        if (config.lrStepping() == TrainConfig.LrStepping.PER_EPOCH) {
            schedule.applyTo(optimizer, epoch);
        }
        for (TrainingListener l : listeners) l.onEpochStart(epoch, loader.batchesPerEpoch());
        double epochLr = Double.NaN;
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int batch = 0;
        for (Batch b : loader.epoch(epoch)) {
            if (config.lrStepping() == TrainConfig.LrStepping.PER_STEP) {
                schedule.applyTo(optimizer, step);
            }
            double lr = optimizer.lr(0);
            if (batch == 0) epochLr = lr;
            optimizer.zeroGrad();
            Variable logits = model.forward(Variable.constant(b.images()));
            Variable l = loss.compute(logits, b.labels());
            double value = l.item();
            if (!Double.isFinite(value)) {
                throw new NonFiniteLossException(epoch, batch, step, value, lastFiniteLoss,
                        step - 1, lr);
            }
            l.backward();
            optimizer.step();
            lossSum += value * b.size();
            correct += Evaluation.countPredictions(logits.value().toArray(), b.labels(),
                    logits.dim(1), null);
            seen += b.size();
            lastFiniteLoss = value;
            for (TrainingListener listener : listeners) listener.onBatch(epoch, step, value, lr);
            step++;
            batch++;
        }
        double valLoss = Double.NaN;
        double valAccuracy = Double.NaN;
        if (validation != null && config.evaluateEachEpoch()) {
            Evaluation v = evaluate(validation);
            valLoss = v.loss();
            valAccuracy = v.accuracy();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new EpochMetrics(epoch, lossSum / seen, (double) correct / seen, valLoss,
                valAccuracy, epochLr, seconds);
    }

    /** Plain cross-entropy and accuracy on data, with this run's normalisation. */
    public Evaluation evaluate(Dataset data) {
        return Evaluation.run(model, data, config.normalize(), config.evalBatchSize());
    }

    private void saveCheckpoint(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_SEED, Long.toString(config.seed()));
        meta.put(META_BATCH, Integer.toString(config.batchSize()));
        meta.put(META_STEPPING, config.lrStepping().name());
        meta.put(META_HISTORY, history.toCsv());
        TrainingState state = TrainingState.of(completedEpochs, step, rng)
                .withOptimizer(optimizer.stateDict(), optimizer.scalarState())
                .withMetadata(meta);
        Checkpoint.save(file, model, state);
    }
}
