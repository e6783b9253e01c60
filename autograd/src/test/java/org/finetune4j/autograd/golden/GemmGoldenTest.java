package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Matrix products against torch.mm / torch.bmm with every transpose combination, a k = 64 case,
 * and F.linear (fixture golden/gemm.json). A case with trans_a stores a as (k, m) and multiplies
 * aᵀ, exactly the layout matmul(b, transA, transB) expects, so gradients come back in that layout.
 */
final class GemmGoldenTest {
    // Dot products of up to 64 terms of |v| ≤ 1: float32 accumulation error ≲ 64·6e-8·|terms|.
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> productsAndGradientsMatchPyTorch() {
        return Golden.load("gemm").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        if (c.stringParam("op").equals("linear")) {
            checkLinear(c);
            return;
        }
        Variable a = c.param("a");                         // ([b,] m, k), or ([b,] k, m) if trans_a
        Variable b = c.param("b");                         // ([b,] k, n), or ([b,] n, k) if trans_b
        Variable y = a.matmul(b, c.boolParam("trans_a"), c.boolParam("trans_b"));
        assertClose(c.tensor("y"), y.value(), ATOL, RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("da"), a.gradValue(), ATOL, RTOL, c.what("da"));
        assertClose(c.tensor("db"), b.gradValue(), ATOL, RTOL, c.what("db"));
    }

    private static void checkLinear(Case c) {
        Variable x = c.param("x");                                    // (n, in)
        Variable w = c.param("w");                                    // (out, in)
        Variable b = c.param("b");                                    // (out)
        Variable y = x.linear(w, b);
        assertClose(c.tensor("y"), y.value(), ATOL, RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), ATOL, RTOL, c.what("dx"));
        assertClose(c.tensor("dw"), w.gradValue(), ATOL, RTOL, c.what("dw"));
        assertClose(c.tensor("db"), b.gradValue(), ATOL, RTOL, c.what("db"));
    }
}
