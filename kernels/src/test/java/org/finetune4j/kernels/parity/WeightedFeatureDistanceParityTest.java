package org.finetune4j.kernels.parity;

import static org.finetune4j.kernels.parity.Parity.assertClose;
import static org.finetune4j.kernels.parity.Parity.cpu;
import static org.finetune4j.kernels.parity.Parity.gpu;
import static org.finetune4j.kernels.parity.Parity.toGpu;
import static org.finetune4j.kernels.parity.Parity.uniform;
import static org.junit.jupiter.api.Assertions.assertNull;

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
 * weighted_feature_distance.cu against CpuWeightedFeatureDistance, per-sample (n, c) and shared
 * (c) weights. Tolerances from the kernel header: out and dw atol 1e-6 + rtol 1e-5 (each
 * plane's double sum is a block tree); ds, dt rtol 1e-6 (same float formula as the twin).
 */
class WeightedFeatureDistanceParityTest {
    private static final Tol SUMS = Tol.of(1e-6, 1e-5);
    private static final Tol GRAD = Tol.of(0, 1e-6);

    @BeforeEach                            // per test: each reports itself skipped, with why
    void needsGpu() {
        Parity.assumeGpu();
    }

    static List<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        int[][] shapes = {{1, 1, 1, 1}, {3, 7, 5, 5}, {2, 3, 1, 255}, {2, 3, 16, 16},
            {2, 3, 1, 257}, {5, 31, 3, 7}, {64, 64, 28, 28}};
        for (int[] s : shapes) {
            for (boolean perSample : new boolean[] {true, false}) c.add(Arguments.of(s, perSample));
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndAllGradientsMatchTheCpu(int[] dims, boolean perSample) {
        int n = dims[0];
        int c = dims[1];
        Tensor s = uniform(1 + n * c, -1f, 1f, dims);
        Tensor t = uniform(2 + n * c, -1f, 1f, dims);
        Tensor w = perSample ? uniform(3, 0f, 1f, n, c) : uniform(4, 0f, 1f, c);
        Tensor dOut = uniform(5, -1f, 1f, n);
        Tensor gs = toGpu(s);
        Tensor gt = toGpu(t);
        Tensor gw = toGpu(w);
        assertClose("wfd forward", cpu().weightedFeatureDistanceForward(s, t, w),
                gpu().weightedFeatureDistanceForward(gs, gt, gw), SUMS);
        Tensor[] e = cpu().weightedFeatureDistanceBackward(dOut, s, t, w, true, true, true);
        Tensor[] a = gpu().weightedFeatureDistanceBackward(toGpu(dOut), gs, gt, gw, true, true,
                true);
        assertClose("wfd ds", e[0], a[0], GRAD);
        assertClose("wfd dt", e[1], a[1], GRAD);
        assertClose("wfd dWeights", e[2], a[2], SUMS);
    }

    @Test
    void gradientsNotAskedForAreNull() {
        Tensor s = toGpu(uniform(6, -1f, 1f, 2, 3, 4, 4));
        Tensor w = toGpu(uniform(7, 0f, 1f, 3));
        Tensor[] g = gpu().weightedFeatureDistanceBackward(toGpu(uniform(8, -1f, 1f, 2)), s, s, w,
                false, true, false);
        assertNull(g[0]);
        assertNull(g[2]);
        assertClose("dt of identical maps", cpu().zeros(s.shape()), g[1], Tol.EXACT);
    }
}
