package org.finetune4j.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;
    private static final Golden.Fixture GOLDEN = Golden.load("nn_losses");

    private static Reduction reduction(Golden.Case c) {
        return Reduction.valueOf(c.stringParam("reduction").toUpperCase(Locale.ROOT));
    }

    private static void backward(Variable loss, Golden.Case c) {
        loss.backward(c.tensor("dy").reshape(loss.shape().dims()));
    }

    @Test
    void crossEntropyWithLabelSmoothingMatchesPyTorch() {
        for (String name : new String[] {"ce_plain_mean", "ce_smooth0.1_mean", "ce_smooth0.2_sum",
                "ce_smooth0.3_none"}) {
            Golden.Case c = GOLDEN.get(name);
            CrossEntropyLoss ce = new CrossEntropyLoss(c.floatParam("label_smoothing"),
                    reduction(c));
            Variable logits = c.param("logits");
            Variable loss = ce.forward(logits, c.ints("labels"));
            Golden.assertClose(c.tensor("loss"), loss.value(), ATOL, RTOL, c.what("loss"));
            backward(loss, c);
            Golden.assertClose(c.tensor("dlogits"), logits.gradValue(), ATOL, RTOL,
                    c.what("dlogits"));
        }
    }

    @Test
    void distillationLossesMatchPyTorch() {
        for (String name : new String[] {"kd_kl_T4", "kd_kl_T1", "kd_softce_T2"}) {
            Golden.Case c = GOLDEN.get(name);
            DistillationLoss kd = new DistillationLoss(c.floatParam("temperature"));
            Variable s = c.param("student");
            Variable t = c.param("teacher");
            Variable loss = name.contains("kl") ? kd.kl(s, t) : kd.softTargetCrossEntropy(s, t);
            Golden.assertClose(c.tensor("loss"), loss.value(), ATOL, RTOL, c.what("loss"));
            loss.backward();
            Golden.assertClose(c.tensor("dstudent"), s.gradValue(), ATOL, RTOL,
                    c.what("dstudent"));
            Golden.assertClose(c.tensor("dteacher"), t.gradValue(), ATOL, RTOL,
                    c.what("dteacher"));
        }
    }

    @Test
    void mseMatchesPyTorch() {
        for (String name : new String[] {"mse_mean", "mse_none"}) {
            Golden.Case c = GOLDEN.get(name);
            Variable a = c.param("input");
            Variable b = c.param("target");
            Variable loss = new MseLoss(reduction(c)).forward(a, b);
            Golden.assertClose(c.tensor("loss"), loss.value(), ATOL, RTOL, c.what("loss"));
            backward(loss, c);
            Golden.assertClose(c.tensor("dinput"), a.gradValue(), ATOL, RTOL, c.what("dinput"));
            Golden.assertClose(c.tensor("dtarget"), b.gradValue(), ATOL, RTOL, c.what("dtarget"));
        }
    }

    private static Variable logits(long seed, int n, int k) {
        return Variable.param(Tensor.uniform(Rng.seeded(seed), -2, 2, n, k));
    }

    @Test
    void crossEntropyBackwardMatchesFiniteDifferences() {
        int[] labels = {0, 3, 1};
        CrossEntropyLoss ce = new CrossEntropyLoss(0.15f, Reduction.NONE);
        GradCheck.of(in -> ce.forward(in[0], labels)).inputs(logits(1, 3, 4)).names("logits")
                .assertGradientsMatch();
    }

    @Test
    void distillationBackwardMatchesFiniteDifferences() {
        DistillationLoss kd = new DistillationLoss(3f);
        GradCheck.of(in -> kd.kl(in[0], in[1])).inputs(logits(2, 3, 4), logits(3, 3, 4))
                .names("student", "teacher").assertGradientsMatch();
        GradCheck.of(in -> kd.softTargetCrossEntropy(in[0], in[1]))
                .inputs(logits(4, 3, 4), logits(5, 3, 4)).names("student", "teacher")
                .assertGradientsMatch();
    }

    @Test
    void mseBackwardMatchesFiniteDifferences() {
        GradCheck.of(in -> new MseLoss(Reduction.SUM).forward(in[0], in[1]))
                .inputs(logits(6, 2, 5), logits(7, 2, 5)).names("input", "target")
                .assertGradientsMatch();
    }

    @Test
    void klOfIdenticalLogitsIsZeroAndShapesAreChecked() {
        Variable z = logits(8, 4, 6);
        assertEquals(0f, new DistillationLoss(2f).kl(z, z).item(), 1e-6);
        assertThrows(IllegalArgumentException.class,
                () -> new DistillationLoss(2f).kl(z, logits(9, 4, 5)));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0f));
        assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(z, new int[] {0, 1}));
    }
}
