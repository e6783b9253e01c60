package org.finetune4j.autograd.golden;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.Golden.Case;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end golden test (STYLE.md 3.10, llm.c's test_gpt2.c scaled down): a ResNet BasicBlock
 * 4 → 8 channels, stride 2, with a 1×1 conv + BN projection shortcut, BN in training mode, then
 * global average pooling, a linear layer and mean cross-entropy on a fixed batch of 4. Weights,
 * batch and labels come from golden/resnet_block.json; PyTorch computed the references in float64.
 * Compares the block output, logits, loss, running statistics and every parameter gradient, then
 * five steps of PyTorch's SGD (momentum, weight decay) and the loss before each step.
 */
final class ResNetBlockGoldenTest {
    // Forward: three conv + BN layers on O(1) activations (|out| up to 4.7); measured ≤ 7e-7.
    private static final double FWD_ATOL = 1e-5;
    private static final double FWD_RTOL = 1e-5;
    // Gradients and running means are small (|g| ~ 1e-2, so an absolute 1e-4 would hide a wrong
    // sign): they pass back through two BN backwards, each subtracting batch sums, and the conv
    // weight gradients sum over n·outH·outW = 64 positions; measured ≤ 6e-8, so 1e-6 is 15× that.
    private static final double GRAD_ATOL = 1e-6;
    private static final double GRAD_RTOL = 1e-5;
    // Five steps of lr 0.1 let float32 and the float64 reference drift apart; measured ≤ 1.2e-7
    // on the losses and the updated parameters. rtol stays small: a loss off by 1e-4 must fail.
    private static final double SGD_ATOL = 5e-6;
    private static final double SGD_RTOL = 1e-5;
    private static final String[] BN_LAYERS = {"bn1", "bn2", "short"};

    private final Case c = Golden.load("resnet_block").get("basic_block_4to8_stride2");
    private final Map<String, Variable> params = new LinkedHashMap<>();     // fixture name → leaf
    private final Map<String, Tensor> runningStats = new LinkedHashMap<>(); // "bn1_mean" → (8)
    private final Variable x = c.constant("x");                            // (4, 4, 8, 8)
    private final int[] labels = c.ints("labels");                         // (4)
    private Variable out;                                          // (4, 8, 4, 4), after the ReLU
    private Variable logits;                                       // (4, 5)

    ResNetBlockGoldenTest() {
        for (String name : c.strings("param_names")) params.put(name, c.param(name));
        int channels = params.get("bn1_gamma").dim(0);
        for (String bn : BN_LAYERS) {
            runningStats.put(bn + "_mean", Tensor.zeros(channels));    // PyTorch's initial values
            runningStats.put(bn + "_var", Tensor.ones(channels));
        }
    }

    @Test
    void outputLossAndEveryParameterGradientMatchPyTorch() {
        Variable loss = forward();
        loss.backward();

        List<String> failures = new ArrayList<>();
        compare("out", out.value(), FWD_ATOL, FWD_RTOL, failures);
        compare("logits", logits.value(), FWD_ATOL, FWD_RTOL, failures);
        compare("loss", loss.value(), FWD_ATOL, FWD_RTOL, failures);
        for (Map.Entry<String, Tensor> s : runningStats.entrySet()) {
            compare(s.getKey() + "_after_step1", s.getValue(), GRAD_ATOL, GRAD_RTOL, failures);
        }
        for (Map.Entry<String, Variable> p : params.entrySet()) {
            compare("d" + p.getKey(), p.getValue().gradValue(), GRAD_ATOL, GRAD_RTOL, failures);
        }
        failIfAny(failures);
    }

    @Test
    void fiveSgdStepsFollowPyTorchLosses() {
        float lr = c.floatParam("lr");
        float momentum = c.floatParam("sgd_momentum");
        float weightDecay = c.floatParam("weight_decay");
        int steps = c.intParam("steps");
        Map<String, Tensor> buffers = new LinkedHashMap<>();        // momentum buffer per parameter
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            params.values().forEach(Variable::zeroGrad);
            Variable loss = forward();
            loss.backward();
            losses[step] = loss.item();
            try (NoGrad ng = NoGrad.enter()) {
                // PyTorch's SGD: d = g + wd·w; buf = d on the first step, else momentum·buf + d;
                // w −= lr·buf
                for (Map.Entry<String, Variable> e : params.entrySet()) {
                    Tensor w = e.getValue().value();
                    Tensor d = e.getValue().gradValue().copy().addInPlace(weightDecay, w);
                    Tensor buf = buffers.get(e.getKey());
                    if (buf == null) {
                        buf = d;
                        buffers.put(e.getKey(), buf);
                    } else {
                        buf.scaleInPlace(momentum).addInPlace(1f, d);
                    }
                    w.addInPlace(-lr, buf);
                }
            }
        }

        List<String> failures = new ArrayList<>();
        Tensor expected = c.tensor("sgd_losses");
        for (int step = 0; step < steps; step++) {
            System.out.printf("resnet_block sgd step %d: loss %.7f (PyTorch %.7f, |diff| %.2e)%n",
                    step + 1, losses[step], expected.get(step),
                    Math.abs(losses[step] - expected.get(step)));
        }
        compare("sgd_losses", Tensor.of(losses, steps), SGD_ATOL, SGD_RTOL, failures);
        for (Map.Entry<String, Variable> p : params.entrySet()) {
            compare(p.getKey() + "_after_sgd", p.getValue().value(), SGD_ATOL, SGD_RTOL, failures);
        }
        failIfAny(failures);
    }

    /** conv3×3/2-BN-ReLU-conv3×3-BN + conv1×1/2-BN, ReLU, global average, linear, cross-entropy. */
    private Variable forward() {
        Variable h = bn(x.conv2d(p("conv1_w"), null, 2, 1, 1), "bn1").relu();   // (4, 8, 4, 4)
        h = bn(h.conv2d(p("conv2_w"), null, 1, 1, 1), "bn2");
        Variable s = bn(x.conv2d(p("short_w"), null, 2, 0, 1), "short");       // (4, 8, 4, 4)
        out = h.add(s).relu();
        logits = out.globalAvgPool().linear(p("fc_w"), p("fc_b"));
        return logits.crossEntropy(labels, Reduction.MEAN);
    }

    /** Training-mode BN: parameters prefix_gamma, prefix_beta; statistics prefix_mean, _var. */
    private Variable bn(Variable in, String prefix) {
        return in.batchNorm(p(prefix + "_gamma"), p(prefix + "_beta"),
                runningStats.get(prefix + "_mean"), runningStats.get(prefix + "_var"),
                c.floatParam("bn_momentum"), c.floatParam("bn_eps"));
    }

    private Variable p(String name) {
        return params.get(name);
    }

    /** Prints the tensor's max difference and records a failure, so every bad tensor is named. */
    private void compare(String key, Tensor actual, double atol, double rtol,
                         List<String> failures) {
        Tensor expected = c.tensor(key);
        String diff = actual == null || !actual.shape().equals(expected.shape()) ? "n/a"
                : String.format("%.2e", Golden.maxAbsDiff(expected, actual));
        System.out.printf("resnet_block %-22s max |diff| %s%n", key, diff);
        try {
            Golden.assertClose(expected, actual, atol, rtol, c.what(key));
        } catch (AssertionError e) {
            failures.add(e.getMessage());
        }
    }

    private static void failIfAny(List<String> failures) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " tensor(s) differ:\n" + String.join("\n", failures));
        }
    }
}
