package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.FusedKernels.GateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gumbel_softmax_gate.cu against CpuGumbelSoftmaxGate: soft sample and straight-through gradient
 * atol 1e-6 + rtol 1e-5 (kernel header: double row sums in another order); the hard one-hot is
 * exact (random noise makes near-ties of the first maximum vanishingly unlikely).
 */
class GumbelSoftmaxGateParityTest {
    private static final Tol TOL = Tol.of(1e-6, 1e-5);

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static List<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        for (int rows : Parity.SIZES) {
            for (int k : new int[] {1, 2, 3, 33, 64}) {
                for (boolean hard : new boolean[] {false, true}) {
                    c.add(Arguments.of(rows, k, hard ? 0.5f : 1f, hard));
                }
            }
        }
        c.add(Arguments.of(64 * 16, 2, 0.67f, true));                // SpotTune: n x blocks
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gateForwardAndBackwardMatchTheCpu(int rows, int k, float tau, boolean hard) {
        Tensor logits = uniform(1 + rows * k, -2f, 2f, rows, k);
        Tensor noise = Tensor.wrap(Rng.seeded(2 + rows).gumbel(rows * k), rows, k);
        GateResult c = cpu().gumbelSoftmaxGateForward(logits, noise, tau, hard);
        GateResult g = gpu().gumbelSoftmaxGateForward(toGpu(logits), toGpu(noise), tau, hard);
        assertClose("gate soft", c.soft(), g.soft(), TOL);
        assertClose("gate out", c.out(), g.out(), hard ? Tol.EXACT : TOL);
        if (!hard) assertSame(g.soft(), g.out(), "soft mode returns the soft sample as out");
        Tensor dOut = uniform(3 + rows, -1f, 1f, rows, k);
        assertClose("gate backward", cpu().gumbelSoftmaxGateBackward(dOut, c.soft(), tau),
                gpu().gumbelSoftmaxGateBackward(toGpu(dOut), toGpu(c.soft()), tau), TOL);
    }
}
