package org.finetune4j.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Layout ops (ops/Movement.java). Each is linear, so the first-order check tests its adjoint and
 * the second-order check tests that the adjoint's adjoint is the op again.
 */
final class MovementTest {

    private static Variable x() {                                    // (2, 3, 4)
        return Inputs.uniform(60, -2f, 2f, 2, 3, 4);
    }

    private static void check(GradCheck.Fn f, Variable... in) {
        GradCheck.of(f).inputs(in).assertGradientsMatch();
        GradCheck.of(f).inputs(in).assertSecondOrderMatches();
    }

    @Test
    void reshapeAndFlatten() {
        check(in -> in[0].reshape(4, -1), x());
        check(in -> in[0].flatten(), x());
    }

    @Test
    void permuteAndTranspose() {
        check(in -> in[0].permute(2, 0, 1), x());
        check(in -> in[0].transpose(0, 2), x());
        check(in -> in[0].transpose(-1, 1), x());
        check(in -> in[0].t(), Inputs.uniform(61, -2f, 2f, 3, 5));
    }

    @Test
    void sliceOfEachAxis() {
        check(in -> in[0].slice(0, 1, 2), x());
        check(in -> in[0].slice(1, 1, 3), x());
        check(in -> in[0].slice(-1, 0, 3), x());
    }

    @Test
    void concatOfParamsAndConstants() {
        Variable a = Inputs.uniform(62, -2f, 2f, 2, 1, 4);
        Variable b = Variable.constant(Tensor.ones(2, 2, 4));
        Variable c = Inputs.uniform(63, -2f, 2f, 2, 3, 4);
        check(in -> Variable.concat(1, in[0], in[1], in[2]), a, b, c);
        check(in -> Variable.concat(-1, in[0], in[0].mul(2f)), a);
    }

    @Test
    void indexSelectWithRepeatedIndicesAccumulates() {
        check(in -> in[0].indexSelect(1, 2, 0, 2), x());
        check(in -> in[0].indexSelect(-1, 3, 3, 3, 1), x());
        Variable v = Variable.param(Tensor.zeros(3));
        Variable y = v.indexSelect(0, 2, 0, 2, 2);
        Variable dy = Variable.constant(Tensor.ones(4));
        assertArrayEquals(new float[] {1f, 0f, 3f}, Grad.of(y, v, dy));
    }

    @Test
    void broadcastToAndSumToShape() {
        check(in -> in[0].broadcastTo(Shape.of(2, 3, 4)), Inputs.uniform(64, -2f, 2f, 3, 1));
        check(in -> in[0].broadcastTo(Shape.of(2, 3, 4)), Inputs.uniform(65, -2f, 2f, 1, 3, 4));
        check(in -> in[0].sumToShape(Shape.of(3, 1)), x());
        check(in -> in[0].sumToShape(Shape.of(2, 1, 4)), x());
        check(in -> in[0].sumToShape(Shape.of(4)), x());
    }

    @Test
    void sliceOutsideTheAxisNamesTheShape() {
        Variable x = x();
        var e = assertThrows(IndexOutOfBoundsException.class, () -> x.slice(1, 2, 5));
        assertTrue(e.getMessage().contains("[2, 3, 4]"), e.getMessage());
    }
}
