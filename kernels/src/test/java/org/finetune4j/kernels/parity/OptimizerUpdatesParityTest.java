package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.CudaOptimizerUpdates;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.cpu.CpuOptimizerUpdates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * optimizer.cu through CudaOptimizerUpdates against CpuOptimizerUpdates on the host: several
 * steps of one parameter tensor with fresh seeded gradients, every flag combination, state
 * compared after every step. Tolerances from the kernel header: SGD exact; Adam exact up to
 * 1 ulp of pow in the float bias-correction factors, which moves each update by a few ulps of
 * the update (atol 1e-9 at lr 1e-3) and the values by rtol 5e-7.
 */
class OptimizerUpdatesParityTest {
    private static final int STEPS = 4;
    private static final Tol ADAM = Tol.of(1e-9, 5e-7);
    private static final int[] SIZES = {1, 7, 255, 256, 257, 4099};

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static List<Arguments> sgdCases() {
        List<Arguments> c = new ArrayList<>();
        for (int n : SIZES) {
            for (float momentum : new float[] {0f, 0.9f}) {
                for (float dampening : new float[] {0f, 0.1f}) {
                    for (float weightDecay : new float[] {0f, 1e-2f}) {
                        for (boolean nesterov : new boolean[] {false, true}) {
                            c.add(Arguments.of(n, momentum, dampening, weightDecay, nesterov));
                        }
                    }
                }
            }
        }
        return c;
    }

    static List<Arguments> adamCases() {
        List<Arguments> c = new ArrayList<>();
        for (int n : SIZES) {
            for (float weightDecay : new float[] {0f, 1e-2f}) {
                for (boolean amsgrad : new boolean[] {false, true}) {
                    for (boolean decoupled : new boolean[] {false, true}) {
                        c.add(Arguments.of(n, weightDecay, amsgrad, decoupled));
                    }
                }
            }
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("sgdCases")
    void sgdStepsMatchTheCpuBitForBit(int n, float momentum, float dampening, float weightDecay,
                                      boolean nesterov) {
        float lr = 0.05f;
        Tensor p = uniform(n, -1f, 1f, n);
        Tensor buf = Tensor.zeros(n);
        Tensor gp = toGpu(p);
        Tensor gBuf = toGpu(buf);
        for (int step = 0; step < STEPS; step++) {
            Tensor g = uniform(100 + step, -1f, 1f, n);
            boolean first = step == 0;
            CpuOptimizerUpdates.sgdUpdate(p.data(), g.data(), buf.data(), n, lr, momentum,
                    dampening, weightDecay, nesterov, first);
            int before = gp.version();
            CudaOptimizerUpdates.sgdUpdate(gp, toGpu(g), gBuf, lr, momentum, dampening,
                    weightDecay, nesterov, first);
            assertTrue(gp.version() > before, "sgdUpdate bumps p's version");
            String what = "sgd step " + step + " (momentum " + momentum + ", dampening "
                    + dampening + ", weightDecay " + weightDecay + ", nesterov " + nesterov + ")";
            assertClose(what + " p", p, gp, Tol.EXACT);
            if (momentum != 0f) assertClose(what + " buf", buf, gBuf, Tol.EXACT);
        }
    }

    @ParameterizedTest
    @MethodSource("adamCases")
    void adamStepsMatchTheCpu(int n, float weightDecay, boolean amsgrad, boolean decoupled) {
        float lr = 1e-3f;
        Tensor p = uniform(n + 1, -1f, 1f, n);
        Tensor m = Tensor.zeros(n);
        Tensor v = Tensor.zeros(n);
        Tensor vMax = Tensor.zeros(n);
        Tensor gp = toGpu(p);
        Tensor gm = toGpu(m);
        Tensor gv = toGpu(v);
        Tensor gvMax = toGpu(vMax);
        for (int step = 1; step <= STEPS; step++) {
            Tensor g = uniform(200 + step, -1f, 1f, n);
            CpuOptimizerUpdates.adamUpdate(p.data(), g.data(), m.data(), v.data(), vMax.data(), n,
                    lr, 0.9f, 0.999f, 1e-8f, weightDecay, step, amsgrad, decoupled);
            int before = gm.version();
            CudaOptimizerUpdates.adamUpdate(gp, toGpu(g), gm, gv, gvMax, lr, 0.9f, 0.999f, 1e-8f,
                    weightDecay, step, amsgrad, decoupled);
            assertTrue(gm.version() > before, "adamUpdate bumps m's version");
            String what = "adam step " + step + " (weightDecay " + weightDecay + ", amsgrad "
                    + amsgrad + ", decoupled " + decoupled + ")";
            assertClose(what + " p", p, gp, ADAM);
            assertClose(what + " m", m, gm, ADAM);
            assertClose(what + " v", v, gv, ADAM);
            if (amsgrad) assertClose(what + " vMax", vMax, gvMax, ADAM);
        }
    }
}
