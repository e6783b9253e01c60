package org.finetune4j.autograd.golden;

import static org.finetune4j.autograd.Golden.assertClose;

import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Batch norm against PyTorch's F.batch_norm (fixture golden/batchnorm.json): training mode with
 * the momentum-0.1 update of the running statistics (unbiased variance), and evaluation mode;
 * forward, dx, dγ, dβ under a random upstream gradient.
 */
final class BatchNormGoldenTest {
    // |x̂| ≲ 3 and rstd up to ~2: the float32 forward measured ≤ 3e-7 from the exact value.
    private static final double FWD_ATOL = 1e-5;
    private static final double FWD_RTOL = 1e-4;
    // dx = γ·rstd/m·(m·dy − Σdy − x̂·Σdy·x̂) subtracts sums of ~100 terms of size ~1, and |dγ|
    // reaches 8; measured ≤ 1e-6, so 1e-5 keeps a 10× margin for other summation orders.
    private static final double GRAD_ATOL = 1e-5;
    private static final double GRAD_RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> forwardRunningStatisticsAndGradientsMatchPyTorch() {
        return Golden.load("batchnorm").cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Variable x = c.param("x");                                    // (n, c, h, w)
        Variable gamma = c.param("gamma");                            // (c)
        Variable beta = c.param("beta");                              // (c)
        Tensor runningMean = c.tensor("running_mean");                // (c), updated in training
        Tensor runningVar = c.tensor("running_var");                  // (c)
        float eps = c.floatParam("eps");
        boolean training = c.boolParam("training");

        Variable y = training
                ? x.batchNorm(gamma, beta, runningMean, runningVar, c.floatParam("momentum"), eps)
                : x.batchNormEval(gamma, beta, runningMean, runningVar, eps);
        assertClose(c.tensor("y"), y.value(), FWD_ATOL, FWD_RTOL, c.what("y"));
        if (training) {
            assertClose(c.tensor("running_mean_out"), runningMean, FWD_ATOL, FWD_RTOL,
                    c.what("running_mean"));
            assertClose(c.tensor("running_var_out"), runningVar, FWD_ATOL, FWD_RTOL,
                    c.what("running_var"));
        } else {
            assertClose(c.tensor("running_mean"), runningMean, 0, 0,
                    c.what("running_mean (eval: unchanged)"));
            assertClose(c.tensor("running_var"), runningVar, 0, 0,
                    c.what("running_var (eval: unchanged)"));
        }

        y.backward(c.tensor("dy"));
        assertClose(c.tensor("dx"), x.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dx"));
        assertClose(c.tensor("dgamma"), gamma.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dgamma"));
        assertClose(c.tensor("dbeta"), beta.gradValue(), GRAD_ATOL, GRAD_RTOL, c.what("dbeta"));
    }
}
