package org.finetune4j.tensor.cpu;

import static org.finetune4j.tensor.cpu.KernelTestKit.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Storage;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;
import org.finetune4j.tensor.backend.BinaryOp;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.finetune4j.tensor.backend.FusedKernels.GateResult;
import org.finetune4j.tensor.backend.NormKernels.BatchNormGrads;
import org.finetune4j.tensor.backend.NormKernels.BatchNormResult;
import org.finetune4j.tensor.backend.Pool2dGeometry;
import org.finetune4j.tensor.backend.PoolKernels.MaxPoolResult;
import org.finetune4j.tensor.backend.ReduceOp;
import org.finetune4j.tensor.backend.ScalarOp;
import org.finetune4j.tensor.backend.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * CpuBackend's entry points: shape errors are IllegalArgumentExceptions whose messages name the
 * op and the shapes involved, and the determinism contract: the same sequence of ops on the same
 * seeded inputs gives bit-identical results on a second run (fixed chunking, fixed order).
 */
class CpuBackendTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    private static void assertShapeError(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void theCpuDeviceResolvesToThisBackend() {
        assertSame(CPU, Backends.of(Device.CPU));
        assertSame(CPU, Backends.cpu());
        assertSame(CPU, Tensor.zeros(1).backend());
        assertEquals(Device.CPU, CPU.device());
        assertTrue(CPU.describe().startsWith("cpu"), CPU.describe());
    }

    @Test
    void matmulInnerDimensionMismatchNamesBothShapes() {
        Tensor a23 = Tensor.zeros(2, 3);
        assertShapeError(() -> CPU.matmul(a23, Tensor.zeros(4, 5), false, false),
                "matmul", "inner", "[2, 3]", "[4, 5]");
        assertShapeError(() -> CPU.matmul(a23, Tensor.zeros(5, 4), false, true),
                "matmul", "[2, 3]", "[5, 4]ᵀ");
        assertShapeError(() -> CPU.matmul(a23, Tensor.zeros(2, 3, 4), false, false),
                "matmul", "rank", "[2, 3]", "[2, 3, 4]");
        Tensor a234 = Tensor.zeros(2, 3, 4);
        assertShapeError(() -> CPU.matmul(a234, Tensor.zeros(3, 4, 5), false, false),
                "matmul", "batch", "[2, 3, 4]", "[3, 4, 5]");
        Tensor c25 = Tensor.zeros(2, 5);
        assertShapeError(() -> CPU.gemm(false, false, 1f, a23, Tensor.zeros(3, 4), 0f, c25),
                "gemm", "[2, 5]", "[2, 3]", "[3, 4]");
    }

    @Test
    void matmulShapesFollowTheTransposeFlags() {
        Tensor a = Tensor.zeros(2, 3);
        assertEquals(Shape.of(2, 5), CPU.matmul(a, Tensor.zeros(3, 5), false, false).shape());
        assertEquals(Shape.of(3, 5), CPU.matmul(a, Tensor.zeros(2, 5), true, false).shape());
        assertEquals(Shape.of(2, 4), CPU.matmul(a, Tensor.zeros(4, 3), false, true).shape());
        assertEquals(Shape.of(6, 2, 5),
                CPU.matmul(Tensor.zeros(6, 2, 3), Tensor.zeros(6, 3, 5), false, false).shape());
    }

    @Test
    void conv2dShapeMismatchesNameWeightInputAndGeometry() {
        Conv2dGeometry g = Conv2dGeometry.of(1, 3, 5, 5, 4, 3, 1, 1, 1);
        Tensor x = Tensor.zeros(1, 3, 5, 5);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        assertShapeError(() -> CPU.conv2dForward(x, Tensor.zeros(4, 2, 3, 3), null, g),
                "conv2d", "weight", "[4, 2, 3, 3]", "[4, 3, 3, 3]", "[1, 3, 5, 5]");
        assertShapeError(() -> CPU.conv2dForward(Tensor.zeros(1, 3, 6, 5), w, null, g),
                "conv2d", "input", "[1, 3, 6, 5]");
        assertShapeError(() -> CPU.conv2dForward(x, w, Tensor.zeros(3), g),
                "conv2d", "bias", "[3]", "[4]");
        assertShapeError(() -> CPU.conv2dBackwardInput(Tensor.zeros(1, 4, 4, 5), w, g),
                "conv2d backward", "[1, 4, 4, 5]", "[1, 4, 5, 5]");
    }

    @Test
    void batchNormGammaMismatchNamesGammaBetaAndInput() {
        Tensor x = Tensor.zeros(2, 3, 4, 4);
        Tensor ones3 = Tensor.ones(3);
        Tensor zeros3 = Tensor.zeros(3);
        assertShapeError(() -> CPU.batchNormTrainForward(x, Tensor.ones(4), zeros3, null, null,
                0.1f, 1e-5f), "batchNorm", "gamma [4]", "beta [3]", "[2, 3, 4, 4]");
        assertShapeError(() -> CPU.batchNormEvalForward(x, ones3, Tensor.zeros(3, 1), zeros3, ones3,
                1e-5f), "batchNorm", "[3, 1]", "[2, 3, 4, 4]");
        assertShapeError(() -> CPU.batchNormTrainForward(Tensor.zeros(5), Tensor.ones(1),
                Tensor.zeros(1), null, null, 0.1f, 1e-5f), "batchNorm", "[5]");
    }

    @Test
    void crossEntropyLabelCountMismatchNamesTheLogits() {
        Tensor logits = Tensor.zeros(4, 5);
        assertShapeError(() -> CPU.crossEntropy(logits, new int[3]),
                "crossEntropy", "3 labels", "[4, 5]");
        assertShapeError(() -> CPU.crossEntropyBackward(logits, new int[5], Tensor.ones(4)),
                "crossEntropy", "5 labels", "[4, 5]");
        assertShapeError(() -> CPU.crossEntropy(Tensor.zeros(4, 5, 1), new int[4]),
                "crossEntropy", "(n, k)", "[4, 5, 1]");
        assertShapeError(() -> CPU.crossEntropySoft(logits, Tensor.zeros(4, 6)),
                "crossEntropySoft", "[4, 6]", "[4, 5]");
    }

    @Test
    void weightedDistanceWeightShapeMismatchNamesTheAcceptedShapes() {
        Tensor s = Tensor.zeros(2, 3, 4, 4);
        assertShapeError(() -> CPU.weightedFeatureDistanceForward(s, s, Tensor.ones(2, 4)),
                "weightedFeatureDistance", "weights [2, 4]", "[2, 3]", "[3]", "[2, 3, 4, 4]");
        Tensor t = Tensor.zeros(2, 3, 4, 5);
        assertShapeError(() -> CPU.weightedFeatureDistanceForward(s, t, Tensor.ones(3)),
                "weightedFeatureDistance", "[2, 3, 4, 4]", "[2, 3, 4, 5]");
        assertShapeError(() -> CPU.weightedFeatureDistanceBackward(Tensor.ones(2), s, s,
                Tensor.ones(6), true, true, true), "weightedFeatureDistance", "[6]");
    }

    @Test
    void otherEntryPointsRejectMismatchedShapes() {
        Tensor a23 = Tensor.zeros(2, 3);
        assertShapeError(() -> CPU.copyInto(a23, Tensor.zeros(3, 2)),
                "copyInto", "[2, 3]", "[3, 2]");
        assertShapeError(() -> CPU.axpyInPlace(Tensor.zeros(2), 1f, Tensor.zeros(3)),
                "axpyInPlace", "[2]", "[3]");
        assertShapeError(() -> CPU.softmaxBackward(a23, Tensor.zeros(2, 4), 1),
                "softmaxBackward", "[2, 3]", "[2, 4]");
        Pool2dGeometry pg = Pool2dGeometry.of(1, 3, 4, 4, 2, 2, 0);
        assertShapeError(() -> CPU.maxPool2dForward(Tensor.zeros(3, 4, 4), pg),
                "maxPool2d", "rank 4", "[3, 4, 4]");
        assertShapeError(() -> CPU.gumbelSoftmaxGateForward(a23, Tensor.zeros(3, 2), 1f, false),
                "gumbelSoftmaxGate", "[3, 2]", "[2, 3]");
        assertShapeError(() -> CPU.gumbelSoftmaxGateForward(a23, Tensor.zeros(2, 3), 0f, false),
                "gumbelSoftmaxGate", "tau");
    }

    @Test
    void aTensorOnAnotherDeviceIsRejectedByName() {
        Storage elsewhere = new Storage() {
            @Override
            public Device device() {
                return Device.cuda(0);
            }

            @Override
            public int size() {
                return 3;
            }

            @Override
            public int version() {
                return 0;
            }

            @Override
            public void bumpVersion() {}
        };
        Tensor remote = new Tensor(Shape.of(3), elsewhere);
        assertShapeError(() -> CPU.unary(UnaryOp.EXP, remote), "CPU backend", "cuda:0");
        assertShapeError(() -> CPU.binary(BinaryOp.ADD, Tensor.zeros(3), remote), "cuda:0");
    }

    // ---------------------------------------------------------------- determinism

    /** A forward/backward-like sequence over most entry points; every result, by name. */
    private static Map<String, float[]> runSequence() {
        Rng rng = Rng.seeded(2024);
        Map<String, float[]> out = new LinkedHashMap<>();
        Tensor x = Tensor.uniform(rng, -1f, 1f, 4, 8, 15, 13);               // (n, c, h, w)
        Tensor w = Tensor.uniform(rng, -0.2f, 0.2f, 16, 8, 3, 3);
        Tensor bias = Tensor.uniform(rng, -0.1f, 0.1f, 16);
        Conv2dGeometry g = Conv2dGeometry.of(4, 8, 15, 13, 16, 3, 1, 1, 1);
        Tensor conv = CPU.conv2dForward(x, w, bias, g);                        // (4, 16, 15, 13)
        out.put("conv", conv.toArray());

        Tensor runningMean = Tensor.zeros(16);
        Tensor runningVar = Tensor.ones(16);
        BatchNormResult bn = CPU.batchNormTrainForward(conv, Tensor.ones(16), Tensor.zeros(16),
                runningMean, runningVar, 0.1f, 1e-5f);
        out.put("bn", bn.y().toArray());
        out.put("runningMean", runningMean.toArray());
        out.put("runningVar", runningVar.toArray());
        Tensor act = CPU.unary(UnaryOp.RELU, bn.y());

        Pool2dGeometry pg = Pool2dGeometry.of(4, 16, 15, 13, 3, 2, 1);
        MaxPoolResult pool = CPU.maxPool2dForward(act, pg);                    // (4, 16, 8, 7)
        out.put("maxPool", pool.y().toArray());
        Tensor gap = CPU.reduce(ReduceOp.MEAN, pool.y(), new int[] {2, 3}, false);   // (4, 16)
        Tensor fc = Tensor.uniform(rng, -0.3f, 0.3f, 16, 10);
        Tensor logits = CPU.matmul(gap, fc, false, false);                     // (4, 10)
        out.put("logits", logits.toArray());
        int[] labels = {3, 0, 9, 3};
        out.put("loss", CPU.crossEntropy(logits, labels).toArray());
        out.put("logSoftmax", CPU.logSoftmax(logits, 1).toArray());

        Tensor dLogits = CPU.crossEntropyBackward(logits, labels, Tensor.full(0.25f, 4));
        Tensor dGap = CPU.matmul(dLogits, fc, false, true);                    // (4, 16)
        Tensor dPool = CPU.broadcastTo(dGap.reshape(4, 16, 1, 1).mul(1f / 56), pool.y().shape());
        Tensor dAct = CPU.maxPool2dBackward(dPool, pool.argmax(), pg);
        Tensor dBn = CPU.where(CPU.scalar(ScalarOp.GT, bn.y(), 0f), dAct,
                Tensor.scalar(0f));
        BatchNormGrads bg = CPU.batchNormBackward(dBn, conv, Tensor.ones(16), bn.mean(), bn.rstd(),
                true, true, true);
        out.put("dGamma", bg.dGamma().toArray());
        out.put("dConv", bg.dx().toArray());
        out.put("dW", CPU.conv2dBackwardWeight(x, bg.dx(), g).toArray());
        out.put("dX", CPU.conv2dBackwardInput(bg.dx(), w, g).toArray());
        out.put("dBias", CPU.conv2dBackwardBias(bg.dx(), g).toArray());

        Tensor big = Tensor.normal(rng, 0f, 1f, 40_001);
        out.put("bigSum", CPU.reduce(ReduceOp.SUM, big, new int[] {0}, false).toArray());
        out.put("bigExp", CPU.unary(UnaryOp.EXP, big).toArray());
        out.put("variance", CPU.variance(x, new int[] {0, 2, 3}, false, 1).toArray());
        out.put("resize", CPU.bilinearResizeForward(x, 7, 19).toArray());
        Tensor noise = Tensor.gumbel(rng, 4, 10);
        GateResult gate = CPU.gumbelSoftmaxGateForward(logits, noise, 0.5f, true);
        out.put("gate", gate.out().toArray());
        Tensor half = CPU.scalar(ScalarOp.MUL, x, 0.5f);
        out.put("distance", CPU.weightedFeatureDistanceForward(x, half, Tensor.ones(8)).toArray());
        return out;
    }

    @Test
    void runningTheSameSequenceTwiceIsBitIdentical() {
        Map<String, float[]> first = runSequence();
        Map<String, float[]> second = runSequence();
        assertEquals(first.keySet(), second.keySet());
        List<String> checked = new ArrayList<>();
        for (String name : first.keySet()) {
            assertEquals(first.get(name).length, second.get(name).length, name + " length");
            assertBitIdentical(name, first.get(name), second.get(name));
            checked.add(name);
        }
        assertTrue(checked.size() >= 19, "checked " + checked);
    }
}
