package org.finetune4j.kernels.parity;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.NormKernels.BatchNormGrads;
import org.finetune4j.tensor.backend.NormKernels.BatchNormResult;
import org.finetune4j.tensor.backend.NormKernels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CudaNorm (batch_norm.cu) and CudnnNorm (cuDNN) against the CPU backend. Tolerances of the
 * PTX path from the kernel header: y, dx, dGamma, dBeta atol 1e-5 + rtol 1e-4; mean, rstd and
 * the running statistics atol 1e-6 + rtol 1e-5 (double sums in a tree instead of the twin's
 * sequence). The cuDNN path: CUDNN_VALUES and CUDNN_STATS below.
 */
class BatchNormParityTest {
    private static final Parity.Tol VALUES = Parity.Tol.of(1e-5, 1e-4);
    private static final Parity.Tol STATS = Parity.Tol.of(1e-6, 1e-5);
    // cuDNN does not document how it sums; float accumulation of up to 1e5 values per channel is
    // assumed, which is ten times looser (a priori: no GPU has run this yet).
    private static final Parity.Tol CUDNN_VALUES = Parity.Tol.of(1e-4, 1e-3);
    private static final Parity.Tol CUDNN_STATS = Parity.Tol.of(1e-5, 1e-4);
    /** {n, c, h, w}: resnet-mini stages at batch 4, odd sizes, rank 2 (hw = 1), a long channel. */
    private static final int[][] SHAPES = {
        {4, 16, 28, 28}, {4, 32, 14, 14}, {4, 64, 7, 7}, {3, 5, 7, 3}, {2, 1, 1, 1},
        {17, 3, 1, 1}, {1, 2, 257, 129}};

    private final Backend cpu = Parity.cpu();

    @BeforeEach
    void needsGpu() {
        Parity.assumeGpu();
    }

    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void trainForwardMatchesCpuIncludingSavedAndRunningStatistics(Parity.Path path) {
        Parity.assumePath(path);
        NormKernels gpu = Parity.norm(path);
        Parity.Tol values = path == Parity.Path.PTX ? VALUES : CUDNN_VALUES;
        Parity.Tol stats = path == Parity.Path.PTX ? STATS : CUDNN_STATS;
        long seed = 80;
        for (int[] s : SHAPES) {
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
            Parity.assertClose("bn train y " + what, expected.y(), actual.y(), values);
            Parity.assertClose("bn train mean " + what, expected.mean(), actual.mean(), stats);
            Parity.assertClose("bn train rstd " + what, expected.rstd(), actual.rstd(), stats);
            Parity.assertClose("bn runningMean " + what, runMean, runMeanG, stats);
            Parity.assertClose("bn runningVar " + what, runVar, runVarG, stats);
            assertTrue(runMeanG.version() > meanVersion, "runningMean version bumped " + what);
            assertTrue(runVarG.version() > varVersion, "runningVar version bumped " + what);

            BatchNormResult noRunning = gpu.batchNormTrainForward(Parity.toGpu(x),
                    Parity.toGpu(gamma), Parity.toGpu(beta), null, null, 0.1f, 1e-5f);
            Parity.assertClose("bn train y without running stats " + what, expected.y(),
                    noRunning.y(), values);

            // One running statistic alone (cuDNN updates both or neither: CudnnNorm adds scratch).
            Tensor onlyMean = Parity.uniform(seed, -1f, 1f, c);
            Tensor onlyMeanG = Parity.toGpu(onlyMean);
            cpu.batchNormTrainForward(x, gamma, beta, onlyMean, null, 0.1f, 1e-5f);
            gpu.batchNormTrainForward(Parity.toGpu(x), Parity.toGpu(gamma), Parity.toGpu(beta),
                    onlyMeanG, null, 0.1f, 1e-5f);
            Parity.assertClose("bn runningMean alone " + what, onlyMean, onlyMeanG, stats);
        }
    }

    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void evalForwardMatchesCpu(Parity.Path path) {
        Parity.assumePath(path);
        NormKernels gpu = Parity.norm(path);
        Parity.Tol values = path == Parity.Path.PTX ? VALUES : CUDNN_VALUES;
        long seed = 120;
        for (int[] s : SHAPES) {
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
                            1e-5f), values);
        }
    }

    @ParameterizedTest
    @EnumSource(Parity.Path.class)
    void backwardMatchesCpuForEveryCombinationOfRequestedGradients(Parity.Path path) {
        Parity.assumePath(path);
        NormKernels gpu = Parity.norm(path);
        Parity.Tol values = path == Parity.Path.PTX ? VALUES : CUDNN_VALUES;
        long seed = 160;
        for (int[] s : SHAPES) {
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
                compare("bn dx " + what, e.dx(), a.dx(), values);
                compare("bn dGamma " + what, e.dGamma(), a.dGamma(), values);
                compare("bn dBeta " + what, e.dBeta(), a.dBeta(), values);
            }
        }
    }

    private static void compare(String what, Tensor expected, Tensor actual, Parity.Tol tol) {
        if (expected == null) {
            assertNull(actual, what + ": not requested, so null");
        } else {
            Parity.assertClose(what, expected, actual, tol);
        }
    }

    private static String shape(int[] s) {
        return "(" + s[0] + ", " + s[1] + ", " + s[2] + ", " + s[3] + ")";
    }
}
