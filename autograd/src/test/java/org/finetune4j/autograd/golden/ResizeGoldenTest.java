package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Bilinear resize against F.interpolate(mode="bilinear", align_corners=False) given an output size
 * (fixture golden/resize.json): up and down, integer and non-integer scales, to and from 1×1.
 */
final class ResizeGoldenTest {
    // Each output mixes 4 inputs with weights from float32 source coordinates, while the fixture
    // used float64 coordinates: measured ≤ 8e-7 on |y| < 1, hence atol + rtol ≈ 1e-5 at most.
    private static final double FWD_ATOL = 2e-6;
    private static final double FWD_RTOL = 1e-5;
    // dx of an upscale gathers many dy (|dx| up to ~3): measured ≤ 6e-7.
    private static final double GRAD_ATOL = 1e-5;
    private static final double GRAD_RTOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> forwardAndGradientsMatchPyTorch() {
        return Golden.load("resize").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable x = c.param("x");                                    // (n, c, h, w)
        Variable y = x.bilinearResize(c.intParam("out_h"), c.intParam("out_w"));
        assertClose(c.tensor("y"), y.value(), FWD_ATOL, FWD_RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dx"));
    }
}
