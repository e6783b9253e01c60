package org.finetune4j.autograd.ops;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.backend.Conv2dGeometry;
import org.junit.jupiter.api.Test;

/**
 * conv2d with stride, padding, groups, dilation and bias (ops/Conv2d.java). The second-order
 * checks differentiate Conv2d's BackwardInput and BackwardWeight.
 */
final class Conv2dTest {

    private static Variable x(int c, int h, int w) {
        return Inputs.uniform(80, -1f, 1f, 1, c, h, w);
    }

    private static Variable w(int out, int inPerGroup, int k) {
        return Inputs.uniform(81, -1f, 1f, out, inPerGroup, k, k);
    }

    private static Variable bias(int out) {
        return Inputs.uniform(82, -1f, 1f, out);
    }

    private static void check(GradCheck.Fn f, Variable... in) {
        GradCheck.of(f).inputs(in).names("x", "weight", "bias").assertGradientsMatch();
        GradCheck.of(f).inputs(in).names("x", "weight", "bias").assertSecondOrderMatches();
    }

    @Test
    void stride1Padding1() {
        check(in -> in[0].conv2d(in[1], null, 1, 1, 1), x(2, 5, 5), w(2, 2, 3));
    }

    @Test
    void stride2WithoutPaddingOnAnOddSize() {
        check(in -> in[0].conv2d(in[1], null, 2, 0, 1), x(2, 5, 5), w(3, 2, 3));
    }

    @Test
    void stride2Padding1WithBias() {
        check(in -> in[0].conv2d(in[1], in[2], 2, 1, 1), x(2, 4, 5), w(3, 2, 3), bias(3));
    }

    @Test
    void twoGroups() {
        check(in -> in[0].conv2d(in[1], in[2], 1, 1, 2), x(4, 4, 4), w(2, 2, 3), bias(2));
    }

    @Test
    void depthwise() {
        check(in -> in[0].conv2d(in[1], null, 1, 1, 3), x(3, 4, 4), w(3, 1, 3));
    }

    @Test
    void dilation2AndRectangularStride() {
        Conv2dGeometry g = new Conv2dGeometry(1, 2, 6, 5, 2, 3, 2, 1, 2, 2, 1, 2, 1, 1);
        Variable w = Inputs.uniform(83, -1f, 1f, 2, 2, 3, 2);          // (out, in, kH, kW)
        check(in -> in[0].conv2d(in[1], in[2], g), x(2, 6, 5), w, bias(2));
    }

    @Test
    void pointwise1x1() {
        check(in -> in[0].conv2d(in[1], in[2], 1, 0, 1), x(3, 3, 3), w(4, 3, 1), bias(4));
    }

    @Test
    void batchOfTwo() {
        Variable x = Inputs.uniform(84, -1f, 1f, 2, 2, 3, 4);
        check(in -> in[0].conv2d(in[1], null, 1, 1, 1), x, w(2, 2, 3));
    }

    @Test
    void squaredOutputHasANonzeroSecondDerivativeInEachInput() {
        // conv is bilinear; squaring its output makes ∂²/∂x² and ∂²/∂w² nonzero as well.
        GradCheck.of(in -> in[0].conv2d(in[1], in[2], 1, 1, 1).square())
                .inputs(x(2, 4, 4), w(2, 2, 3), bias(2)).names("x", "weight", "bias")
                .assertSecondOrderMatches();
    }
}
