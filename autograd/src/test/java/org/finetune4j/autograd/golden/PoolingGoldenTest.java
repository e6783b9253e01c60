package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Pooling against PyTorch (fixture golden/pooling.json): F.max_pool2d (padding is −∞), F.avg_pool2d
 * (count_include_pad = True) and the global average x.mean((2, 3)); forward and dx. Inputs are a
 * permutation of distinct values, so every max position is unique and gradients are exact.
 */
final class PoolingGoldenTest {
    // Max pooling copies values and scatters dy: exact but for overlapping windows, where dx sums
    // several dy. Averages of ≤ 49 terms: float32 rounding only (measured ≤ 1.2e-7).
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> forwardAndGradientsMatchPyTorch() {
        return Golden.load("pooling").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable x = c.param("x");                                    // (n, c, h, w)
        int k = c.intParam("kernel");
        int s = c.intParam("stride");
        int p = c.intParam("padding");
        Variable y = switch (c.stringParam("op")) {
            case "max" -> x.maxPool2d(k, s, p);
            case "avg" -> x.avgPool2d(k, s, p);
            case "global_avg" -> x.globalAvgPool();
            default -> throw new IllegalArgumentException("unknown pooling op in " + c.name());
        };
        boolean exact = c.stringParam("op").equals("max");
        assertClose(c.tensor("y"), y.value(), exact ? 0 : ATOL, exact ? 0 : RTOL, c.what("y"));

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), ATOL, RTOL, c.what("dx"));
    }
}
