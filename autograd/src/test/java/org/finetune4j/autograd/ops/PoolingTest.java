package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.Test;

/**
 * Max pooling, average pooling and bilinear resizing (ops/Pooling.java). Max pooling is checked
 * on pairwise-distinct inputs, so no window has a near-tie the central difference could cross.
 */
final class PoolingTest {

    private static void check(GradCheck.Fn f, Variable x) {
        GradCheck.of(f).inputs(x).names("x").assertGradientsMatch();
        GradCheck.of(f).inputs(x).names("x").assertSecondOrderMatches();
    }

    @Test
    void maxPool2x2Stride2() {
        check(in -> in[0].maxPool2d(2, 2, 0), Inputs.distinct(110, -3f, 0.1f, 1, 2, 4, 6));
    }

    @Test
    void maxPool3x3Stride2Padding1WithOverlappingWindows() {
        check(in -> in[0].maxPool2d(3, 2, 1), Inputs.distinct(111, -3f, 0.1f, 2, 1, 5, 5));
    }

    @Test
    void maxPoolOfAllNegativeValuesIgnoresThePadding() {
        check(in -> in[0].maxPool2d(3, 1, 1), Inputs.distinct(112, -5f, 0.1f, 1, 1, 4, 4));
    }

    @Test
    void avgPool2x2Stride2() {
        check(in -> in[0].avgPool2d(2, 2, 0), Inputs.uniform(113, -2f, 2f, 1, 2, 4, 6));
    }

    @Test
    void avgPool3x3Stride1Padding1CountsPaddedZeros() {
        check(in -> in[0].avgPool2d(3, 1, 1), Inputs.uniform(114, -2f, 2f, 2, 1, 4, 5));
    }

    @Test
    void globalAvgPool() {
        check(in -> in[0].globalAvgPool(), Inputs.uniform(115, -2f, 2f, 2, 3, 3, 3));
    }

    @Test
    void bilinearResizeUp() {
        check(in -> in[0].bilinearResize(5, 7), Inputs.uniform(116, -2f, 2f, 1, 2, 3, 3));
    }

    @Test
    void bilinearResizeDown() {
        check(in -> in[0].bilinearResize(4, 3), Inputs.uniform(117, -2f, 2f, 1, 1, 6, 6));
    }

    @Test
    void bilinearResizeByNonIntegerScales() {
        check(in -> in[0].bilinearResize(7, 3), Inputs.uniform(118, -2f, 2f, 1, 2, 5, 4));
        check(in -> in[0].bilinearResize(5, 5), Inputs.uniform(119, -2f, 2f, 2, 1, 3, 4));
    }

    @Test
    void bilinearResizeToTheSameSize() {
        check(in -> in[0].bilinearResize(4, 4), Inputs.uniform(120, -2f, 2f, 1, 2, 4, 4));
    }

    @Test
    void secondDerivativesThroughANonlinearityBeforeAndAfter() {
        // The pools are linear (max with fixed positions); tanh around them gives nonzero ∂²/∂x².
        Variable distinct = Inputs.distinct(121, -1.5f, 0.1f, 1, 1, 4, 6);
        check(in -> in[0].tanh().maxPool2d(2, 2, 0).square(), distinct);
        Variable x = Inputs.uniform(122, -2f, 2f, 1, 1, 4, 4);
        check(in -> in[0].tanh().avgPool2d(2, 1, 0).square(), x);
        check(in -> in[0].tanh().bilinearResize(5, 3).square(), x);
    }
}
