package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * conv2d against PyTorch's F.conv2d (fixture golden/conv2d.json from make_golden.py): strides,
 * paddings, dilations, groups incl. depthwise, non-square kernels, with and without bias; forward
 * and dx, dw, db under a random upstream gradient.
 */
final class Conv2dGoldenTest {
    // Forward sums ≤ 72 products of |x| ≤ 1, |w| ≤ 0.5 in float32; measured ≤ 1e-6 (AVX-512 and
    // scalar paths), so 1e-5 leaves a 10× margin for other summation orders.
    private static final double FWD_ATOL = 1e-5;
    private static final double FWD_RTOL = 1e-4;
    // dw sums over n·outH·outW (up to 162) positions and reaches |dw| ≈ 14: measured ≤ 3e-6.
    private static final double GRAD_ATOL = 2e-5;
    private static final double GRAD_RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> forwardAndGradientsMatchPyTorch() {
        return Golden.load("conv2d").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable x = c.param("x");                                    // (n, cIn, h, w)
        Variable w = c.param("w");                                    // (cOut, cIn/groups, kH, kW)
        Variable b = c.has("b") ? c.param("b") : null;                // (cOut) or absent
        int[] stride = c.ints("stride");
        int[] pad = c.ints("padding");
        int[] dil = c.ints("dilation");
        Conv2dGeometry g = new Conv2dGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0),
                w.dim(2), w.dim(3), stride[0], stride[1], pad[0], pad[1], dil[0], dil[1],
                c.intParam("groups"));

        Variable y = x.conv2d(w, b, g);
        assertClose(c.tensor("y"), y.value(), FWD_ATOL, FWD_RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dx"));
        assertClose(c.tensor("dw"), w.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dw"));
        if (b != null) {
            assertClose(c.tensor("db"), b.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("db"));
        }
    }
}
