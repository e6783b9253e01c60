package org.finetune4j.nn.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.Safetensors;
import org.finetune4j.nn.loss.CrossEntropyLoss;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end golden test (STYLE.md 3.10): resnet-mini w=1 with PyTorch's weights, loaded through
 * the state dict by torchvision's names, one batch in training and in evaluation mode, against
 * nn/src/test/resources/golden/nn_resnet_mini.safetensors (make_golden_nn.py, float64 reference).
 */
class ResNetGoldenTest {
    private static final String FIXTURE = "/golden/nn_resnet_mini.safetensors";
    private static final double LOGITS_ATOL = 1e-4;            // the bound
    private static final double GRAD_ATOL = 1e-5;              // float32 sums over 4·28·28 terms
    private static final double GRAD_RTOL = 1e-3;

    private static Map<String, Tensor> fixture;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = ResNetGoldenTest.class.getResourceAsStream(FIXTURE)) {
            if (in == null) {
                throw new IllegalStateException(FIXTURE + " not on the class path; run"
                        + " /usr/bin/python3 nn/src/test/python/make_golden_nn.py");
            }
            fixture = Safetensors.read(in.readAllBytes()).tensors();
        }
    }

    private static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        fixture.forEach((k, t) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), t);
        });
        return out;
    }

    private static ResNet loaded() {
        ResNet net = new ResNet(ResNetConfig.resnetMini(1, 10), Rng.seeded(1));
        LoadReport report = net.loadStateDict(withPrefix("init."), true);   // strict: names match
        assertTrue(report.clean(), report.toString());
        return net;
    }

    private static int[] labels() {
        float[] l = fixture.get("labels").toArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
        return out;
    }

    @Test
    void parameterAndBufferOrderIsPyTorchs() {
        ResNet net = loaded();
        assertEquals(List.copyOf(withPrefix("grad.").keySet()),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.copyOf(withPrefix("after.").keySet()),
                List.copyOf(net.namedBuffers().keySet()));
    }

    @Test
    void trainingForwardLossAndEveryGradientMatchPyTorch() {
        ResNet net = loaded();
        Variable x = Variable.constant(fixture.get("x"));
        Variable logits = net.forward(x);
        Golden.assertClose(fixture.get("train.logits"), logits.value(), LOGITS_ATOL, 0,
                "train.logits");
        Variable loss = new CrossEntropyLoss().forward(logits, labels());
        Golden.assertClose(fixture.get("train.loss"), loss.value().reshape(), 1e-5, 0,
                "train.loss");
        loss.backward();

        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-32s max|diff| %.2e", "logits",
                Golden.maxAbsDiff(fixture.get("train.logits"), logits.value())));
        withPrefix("grad.").forEach((k, expected) -> {
            Tensor actual = net.namedParameters().get(k).grad();
            report.add(String.format(Locale.ROOT, "%-32s max|diff| %.2e", k,
                    Golden.maxAbsDiff(expected, actual)));
            Golden.assertClose(expected, actual, GRAD_ATOL, GRAD_RTOL, "grad." + k);
        });
        System.out.println("resnet-mini golden, per-parameter gradient error:\n  "
                + String.join("\n  ", report));
        withPrefix("after.").forEach((k, expected) -> Golden.assertClose(expected,
                net.namedBuffers().get(k), 1e-6, 1e-5, "buffer " + k + " after the step"));
    }

    @Test
    void evaluationForwardWithUpdatedStatisticsMatchesPyTorch() {
        ResNet net = loaded();
        Variable x = Variable.constant(fixture.get("x"));
        try (NoGrad ignored = NoGrad.enter()) {
            net.forward(x);                        // training mode: moves the running statistics
            net.eval();
            Golden.assertClose(fixture.get("eval.logits"), net.forward(x).value(), LOGITS_ATOL, 0,
                    "eval.logits");
        }
    }
}
