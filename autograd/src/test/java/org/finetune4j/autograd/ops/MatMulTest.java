package org.finetune4j.autograd.ops;

import java.util.stream.Stream;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** y = op(A)·op(B) for all four transpose flags, rank 2 and batched rank 3 (ops/MatMul.java). */
final class MatMulTest {

    static Stream<Arguments> flags() {
        return Stream.of(false, true).flatMap(ta -> Stream.of(false, true).flatMap(tb -> Stream.of(
                Arguments.of(ta, tb, 0), Arguments.of(ta, tb, 2))));
    }

    /** A with op(A) (3, 4) and B with op(B) (4, 5), with a leading batch axis when batch > 0. */
    private static Variable[] operands(boolean transA, boolean transB, int batch) {
        int[] a = transA ? new int[] {4, 3} : new int[] {3, 4};
        int[] b = transB ? new int[] {5, 4} : new int[] {4, 5};
        return new Variable[] {Inputs.uniform(70, -1f, 1f, batched(batch, a)),
            Inputs.uniform(71, -1f, 1f, batched(batch, b))};
    }

    private static int[] batched(int batch, int[] dims) {
        return batch == 0 ? dims : new int[] {batch, dims[0], dims[1]};
    }

    @ParameterizedTest(name = "transA {0} transB {1} batch {2}")
    @MethodSource("flags")
    void backwardMatchesFiniteDifferences(boolean transA, boolean transB, int batch) {
        check(transA, transB, batch).assertGradientsMatch();
    }

    @ParameterizedTest(name = "transA {0} transB {1} batch {2}")
    @MethodSource("flags")
    void secondDerivativeMatchesFiniteDifferences(boolean transA, boolean transB, int batch) {
        check(transA, transB, batch).assertSecondOrderMatches();
    }

    private static GradCheck check(boolean transA, boolean transB, int batch) {
        return GradCheck.of(in -> in[0].matmul(in[1], transA, transB))
                .inputs(operands(transA, transB, batch)).names("a", "b");
    }

    @Test
    void squaredProductHasANonzeroSecondDerivativeInBothOperands() {
        // (A·B)² makes ∂²/∂A² and ∂²/∂B² nonzero, not only the mixed terms a bilinear op has.
        GradCheck.of(in -> in[0].matmul(in[1]).square()).inputs(operands(false, false, 0))
                .names("a", "b").assertSecondOrderMatches();
    }

    @Test
    void linearMatchesFiniteDifferences() {
        Variable x = Inputs.uniform(72, -1f, 1f, 3, 4);
        Variable w = Inputs.uniform(73, -1f, 1f, 5, 4);
        Variable b = Inputs.uniform(74, -1f, 1f, 5);
        GradCheck.of(in -> in[0].linear(in[1], in[2])).inputs(x, w, b).names("x", "weight", "bias")
                .assertGradientsMatch();
        GradCheck.of(in -> in[0].linear(in[1], null)).inputs(x, w).names("x", "weight")
                .assertSecondOrderMatches();
    }
}
