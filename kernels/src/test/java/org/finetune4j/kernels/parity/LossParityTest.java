package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cross_entropy.cu against CpuCrossEntropy, hard labels and soft targets, forward and backward.
 * Tolerance from the kernel header: atol 1e-6 + rtol 1e-5 (the lse sum runs in another order).
 */
class LossParityTest {
    private static final Tol TOL = Tol.of(1e-6, 1e-5);

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static List<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        for (int n : Parity.SIZES) {
            for (int k : new int[] {1, 2, 10, 257}) c.add(Arguments.of(n, k));
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void hardLabelsForwardAndBackwardMatchTheCpu(int n, int k) {
        Tensor logits = uniform(1 + n * k, -5f, 5f, n, k);
        int[] labels = Parity.labels(2 + n, n, k);
        Tensor dLoss = uniform(3 + n, -1f, 1f, n);
        assertClose("crossEntropy", cpu().crossEntropy(logits, labels),
                gpu().crossEntropy(toGpu(logits), labels), TOL);
        assertClose("crossEntropyBackward", cpu().crossEntropyBackward(logits, labels, dLoss),
                gpu().crossEntropyBackward(toGpu(logits), labels, toGpu(dLoss)), TOL);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softTargetsForwardAndBackwardMatchTheCpu(int n, int k) {
        Tensor logits = uniform(4 + n * k, -5f, 5f, n, k);
        Tensor targets = cpu().softmax(uniform(5 + n, -2f, 2f, n, k), 1);
        Tensor dLoss = uniform(6 + n, -1f, 1f, n);
        assertClose("crossEntropySoft", cpu().crossEntropySoft(logits, targets),
                gpu().crossEntropySoft(toGpu(logits), toGpu(targets)), TOL);
        assertClose("crossEntropySoftBackward",
                cpu().crossEntropySoftBackward(logits, targets, dLoss),
                gpu().crossEntropySoftBackward(toGpu(logits), toGpu(targets), toGpu(dLoss)), TOL);
    }

    @Test
    void aLabelOutOfRangeFailsWithTheCpuMessage() {
        Tensor logits = uniform(7, -1f, 1f, 2, 3);
        String cpuMessage = assertThrows(IllegalArgumentException.class,
                () -> cpu().crossEntropy(logits, new int[] {0, 3})).getMessage();
        String gpuMessage = assertThrows(IllegalArgumentException.class,
                () -> gpu().crossEntropy(toGpu(logits), new int[] {0, 3})).getMessage();
        assertEquals(cpuMessage, gpuMessage);
    }
}
