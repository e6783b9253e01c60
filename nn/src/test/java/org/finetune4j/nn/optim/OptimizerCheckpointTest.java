package org.finetune4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.finetune4j.nn.io.Checkpoint;
import org.finetune4j.nn.io.TrainingState;
import org.finetune4j.nn.schedule.LinearWarmup;
import org.finetune4j.nn.schedule.LrSchedule;
import org.finetune4j.nn.schedule.StepLr;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A killed run resumes exactly: train 3 steps, write a Checkpoint (weights, optimiser state, step,
 * Rng), load it into a fresh model and optimiser, and the next 2 steps equal those of the run that
 * never stopped, bit for bit, in weights and in optimiser state.
 */
class OptimizerCheckpointTest {
    private static final LrSchedule SCHEDULE = new LinearWarmup(2, 0.1, new StepLr(2, 0.5));

    @TempDir
    Path dir;

    private static void trainStep(TinyModel m, Optimizer opt, Rng rng, long t) {
        SCHEDULE.applyTo(opt, t);
        opt.zeroGrad();
        m.lossAndBackward(rng);
        opt.step();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.finetune4j.nn.optim.Optimizers#all")
    void checkpointRoundTripResumesBitIdentically(Optimizers.Factory f) throws IOException {
        TinyModel running = new TinyModel(21);
        Optimizer runningOpt = f.of(OptimizerStateTest.groups(running));
        Rng rng = Rng.seeded(22);
        for (long t = 0; t < 3; t++) trainStep(running, runningOpt, rng, t);
        Path file = dir.resolve("ckpt.safetensors");
        Checkpoint.save(file, running, TrainingState.of(0, 3, rng)
                .withOptimizer(runningOpt.stateDict(), runningOpt.scalarState()));

        TinyModel resumed = new TinyModel(23);                    // other weights, overwritten
        Optimizer resumedOpt = f.of(OptimizerStateTest.groups(resumed));
        TrainingState state = Checkpoint.load(file, resumed);
        resumedOpt.loadState(state.optimizer(), state.optimizerScalars());
        Rng resumedRng = state.rng();

        for (long t = 3; t < 5; t++) {
            trainStep(running, runningOpt, rng, t);
            trainStep(resumed, resumedOpt, resumedRng, t);
        }
        Map<String, Tensor> want = running.stateDict();
        resumed.stateDict().forEach((k, v) -> assertArrayEquals(want.get(k).toArray(),
                v.toArray(), k));
        Map<String, Tensor> wantState = runningOpt.stateDict();
        assertEquals(wantState.keySet(), resumedOpt.stateDict().keySet());
        resumedOpt.stateDict().forEach((k, v) -> assertArrayEquals(wantState.get(k).toArray(),
                v.toArray(), k));
        assertEquals(runningOpt.scalarState(), resumedOpt.scalarState());
    }
}
