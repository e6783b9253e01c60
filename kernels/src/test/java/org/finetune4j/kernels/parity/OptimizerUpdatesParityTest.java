package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.kernels.parity.Parity.Tol;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.OptimizerKernels.AdamStep;
import org.finetune4j.tensor.backend.OptimizerKernels.SgdStep;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * optimizer.cu through CudaOptimizerUpdates against CpuOptimizerUpdates on the host: several
 * steps of one parameter tensor with fresh seeded gradients, every flag combination, state
 * compared after every step, through the backend's OptimizerKernels as nn/optim calls them.
 * Tolerance from the kernel header: exact (the step's scalars are derived once on the host;
 * sqrtf and __fdiv_rn round correctly, as (float) Math.sqrt and / do).
 */
class OptimizerUpdatesParityTest {
    private static final int STEPS = 4;
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
            SgdStep s = new SgdStep(lr, momentum, (float) (1.0 - dampening), weightDecay,
                    nesterov, first);
            Parity.cpu().sgdUpdate(p, g, buf, s);
            int before = gp.version();
            Parity.gpu().sgdUpdate(gp, toGpu(g), gBuf, s);
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
            AdamStep s = AdamStep.of(lr, 0.9, 0.999, 1e-8, weightDecay, step, decoupled);
            Parity.cpu().adamUpdate(p, g, m, v, amsgrad ? vMax : null, s);
            int before = gm.version();
            Parity.gpu().adamUpdate(gp, toGpu(g), gm, gv, amsgrad ? gvMax : null, s);
            assertTrue(gm.version() > before, "adamUpdate bumps m's version");
            String what = "adam step " + step + " (weightDecay " + weightDecay + ", amsgrad "
                    + amsgrad + ", decoupled " + decoupled + ")";
            assertClose(what + " p", p, gp, Tol.EXACT);
            assertClose(what + " m", m, gm, Tol.EXACT);
            assertClose(what + " v", v, gv, Tol.EXACT);
            if (amsgrad) assertClose(what + " vMax", vMax, gvMax, Tol.EXACT);
        }
    }
}
