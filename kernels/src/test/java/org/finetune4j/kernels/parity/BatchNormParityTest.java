package org.finetune4j.kernels.parity;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.NormKernels.BatchNormGrads;
import org.finetune4j.tensor.backend.NormKernels.BatchNormResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CudaNorm (batch_norm.cu) against the CPU backend. Tolerances from the kernel header: y, dx,
 * dGamma, dBeta atol 1e-5 + rtol 1e-4; mean, rstd and the running statistics atol 1e-6 +
 * rtol 1e-5 (double sums in a tree instead of the twin's sequence).
 */
class BatchNormParityTest {
    private static final Parity.Tol VALUES = Parity.Tol.of(1e-5, 1e-4);
    private static final Parity.Tol STATS = Parity.Tol.of(1e-6, 1e-5);
    /** {n, c, h, w}: resnet-mini stages at batch 4, odd sizes, rank 2 (hw = 1), a long channel. */
    private static final int[][] SHAPES = {
        {4, 16, 28, 28}, {4, 32, 14, 14}, {4, 64, 7, 7}, {3, 5, 7, 3}, {2, 1, 1, 1},
        {17, 3, 1, 1}, {1, 2, 257, 129}};

    private final Backend cpu = Parity.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    @Test
    void trainForwardMatchesCpuIncludingSavedAndRunningStatistics() {
        long seed = 80;
        for (int[] s : SHAPES) {
            Backend gpu = Parity.gpu();
            String what = shape(s);
            int c = s[1];
            // An offset mean checks the shifted moments: |mean| >> std.
            Tensor x = Parity.uniform(seed++, 2.5f, 3.5f, s);
            Tensor gamma = Parity.uniform(seed++, 0.5f, 1.5f, c);
            Tensor beta = Parity.uniform(seed++, -1f, 1f, c);
            Tensor runMean = Parity.uniform(seed++, -1f, 1f, c);
            Tensor runVar = Parity.uniform(seed++, 0.5f, 2f, c);
            Tensor runMeanG = Parity.toGpu(runMean), runVarG = Parity.toGpu(runVar);
            int meanVersion = runMeanG.version(), varVersion = runVarG.version();
            BatchNormResult expected = cpu.batchNormTrainForward(x, gamma, beta, runMean, runVar,
                    0.1f, 1e-5f);
            BatchNormResult actual = gpu.batchNormTrainForward(Parity.toGpu(x),
                    Parity.toGpu(gamma), Parity.toGpu(beta), runMeanG, runVarG, 0.1f, 1e-5f);
            Parity.assertClose("bn train y " + what, expected.y(), actual.y(), VALUES);
            Parity.assertClose("bn train mean " + what, expected.mean(), actual.mean(), STATS);
            Parity.assertClose("bn train rstd " + what, expected.rstd(), actual.rstd(), STATS);
            Parity.assertClose("bn runningMean " + what, runMean, runMeanG, STATS);
            Parity.assertClose("bn runningVar " + what, runVar, runVarG, STATS);
            assertTrue(runMeanG.version() > meanVersion, "runningMean version bumped " + what);
            assertTrue(runVarG.version() > varVersion, "runningVar version bumped " + what);

            BatchNormResult noRunning = gpu.batchNormTrainForward(Parity.toGpu(x),
                    Parity.toGpu(gamma), Parity.toGpu(beta), null, null, 0.1f, 1e-5f);
            Parity.assertClose("bn train y without running stats " + what, expected.y(),
                    noRunning.y(), VALUES);
        }
    }

    @Test
    void evalForwardMatchesCpu() {
        long seed = 120;
        for (int[] s : SHAPES) {
            Backend gpu = Parity.gpu();
            int c = s[1];
            Tensor x = Parity.uniform(seed++, -2f, 2f, s);
            Tensor gamma = Parity.uniform(seed++, 0.5f, 1.5f, c);
            Tensor beta = Parity.uniform(seed++, -1f, 1f, c);
            Tensor runMean = Parity.uniform(seed++, -1f, 1f, c);
            Tensor runVar = Parity.uniform(seed++, 0.5f, 2f, c);
            Parity.assertClose("bn eval " + shape(s),
                    cpu.batchNormEvalForward(x, gamma, beta, runMean, runVar, 1e-5f),
                    gpu.batchNormEvalForward(Parity.toGpu(x), Parity.toGpu(gamma),
                            Parity.toGpu(beta), Parity.toGpu(runMean), Parity.toGpu(runVar),
                            1e-5f), VALUES);
        }
    }

    @Test
    void backwardMatchesCpuForEveryCombinationOfRequestedGradients() {
        long seed = 160;
        for (int[] s : SHAPES) {
            Backend gpu = Parity.gpu();
            int c = s[1];
            Tensor x = Parity.uniform(seed++, -2f, 2f, s);
            Tensor dy = Parity.uniform(seed++, -1f, 1f, s);
            Tensor gamma = Parity.uniform(seed++, 0.5f, 1.5f, c);
            Tensor beta = Parity.uniform(seed++, -1f, 1f, c);
            BatchNormResult fwd = cpu.batchNormTrainForward(x, gamma, beta, null, null, 0.1f,
                    1e-5f);
            Tensor xg = Parity.toGpu(x), dyg = Parity.toGpu(dy), gammaG = Parity.toGpu(gamma);
            Tensor meanG = Parity.toGpu(fwd.mean()), rstdG = Parity.toGpu(fwd.rstd());
            for (int mask = 1; mask < 8; mask++) {
                boolean needX = (mask & 1) != 0, needG = (mask & 2) != 0, needB = (mask & 4) != 0;
                String what = shape(s) + " needX=" + needX + " needGamma=" + needG + " needBeta="
                        + needB;
                BatchNormGrads e = cpu.batchNormBackward(dy, x, gamma, fwd.mean(), fwd.rstd(),
                        needX, needG, needB);
                BatchNormGrads a = gpu.batchNormBackward(dyg, xg, gammaG, meanG, rstdG, needX,
                        needG, needB);
                compare("bn dx " + what, e.dx(), a.dx());
                compare("bn dGamma " + what, e.dGamma(), a.dGamma());
                compare("bn dBeta " + what, e.dBeta(), a.dBeta());
            }
        }
    }

    private static void compare(String what, Tensor expected, Tensor actual) {
        if (expected == null) {
            assertNull(actual, what + ": not requested, so null");
        } else {
            Parity.assertClose(what, expected, actual, VALUES);
        }
    }

    private static String shape(int[] s) {
        return "(" + s[0] + ", " + s[1] + ", " + s[2] + ", " + s[3] + ")";
    }
}
