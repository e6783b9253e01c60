package org.finetune4j.methods.delta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.layers.Conv2d;
import org.finetune4j.nn.resnet.BasicBlock;
import org.finetune4j.nn.resnet.Bottleneck;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResidualBlock;
import org.finetune4j.tensor.Tensor;

/**
 * DELTA's supervised channel attention a_{l,c} (spec delta.md §2, "Channel attention"), computed
 * once before fine-tuning and constant afterwards. Scores come from filter ablation on the
 * (head-trained) attention model in eval mode: d_{l,c} = running mean over batches of
 * CE(filter c of hooked conv l zeroed) − CE(intact); then z-score per layer (population std)
 * and softmax(z / temperature). The model's weights are restored bit for bit after every probe.
 */
public final class ChannelAttention {
    private ChannelAttention() {
    }

    /**
     * The hooked convs, one per stage: the last conv of the stage's last block, whose pre-BN
     * output {@code Features.preBn(Fk)} is (resnet-mini: layer{1,2,3}.1.conv2).
     */
    public static List<Conv2d> hookedConvs(ResNet net) {
        List<Conv2d> out = new ArrayList<>();
        for (int s = 0; s < net.stages(); s++) {
            List<ResidualBlock> blocks = net.blocks(s);
            ResidualBlock last = blocks.get(blocks.size() - 1);
            if (last instanceof BasicBlock b) {
                out.add(b.conv2());
            } else if (last instanceof Bottleneck b) {
                out.add(b.conv3());
            } else {
                throw new IllegalArgumentException("ChannelAttention: unknown block " + last);
            }
        }
        return out;
    }

    /** a = 1/C_l everywhere: Ω_att becomes the plain spatially-normalised feature distance. */
    public static List<Tensor> uniform(ResNet net) {
        List<Tensor> out = new ArrayList<>();
        for (Conv2d conv : hookedConvs(net)) {
            int c = conv.outChannels();
            out.add(Tensor.wrap(filled(c, 1f / c), c).to(net.device()));
        }
        return out;
    }

    /**
     * Ablation scores d_{l,c} (one double[C_l] per hooked layer) of model on the given batches,
     * in eval mode under NoGrad; the model's train/eval mode is restored afterwards.
     */
    public static List<double[]> scores(ResNet model, List<Batch> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("ChannelAttention: no batches");
        List<Conv2d> convs = hookedConvs(model);
        List<double[]> d = new ArrayList<>();
        for (Conv2d conv : convs) d.add(new double[conv.outChannels()]);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            for (int k = 0; k < batches.size(); k++) {
                Batch batch = batches.get(k);
                double l0 = loss(model, batch);
                for (int l = 0; l < convs.size(); l++) {
                    Tensor weight = convs.get(l).weight().value();     // (C_l, in, kh, kw)
                    // Ablation edits a host copy and writes it back, so the pass works on any
                    // device; it runs once per fine-tuning, N·(1 + Σ C_l) forwards.
                    float[] w = weight.toArray();
                    Tensor original = weight.copy();
                    int c = weight.shape().dim(0);
                    int filter = w.length / c;
                    for (int ch = 0; ch < c; ch++) {
                        int off = ch * filter;
                        float[] ablated = w.clone();
                        Arrays.fill(ablated, off, off + filter, 0f);
                        weight.copyFrom(Tensor.wrap(ablated, weight.shape()).to(weight.device()));
                        double l1;
                        try {
                            l1 = loss(model, batch);
                        } finally {
                            weight.copyFrom(original);                  // exact restore
                        }
                        d.get(l)[ch] = (k * d.get(l)[ch] + (l1 - l0)) / (k + 1);
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return d;
    }

    /** Scores, then z-score and softmax per layer: one (C_l) tensor per hooked layer. */
    public static List<Tensor> compute(ResNet model, List<Batch> batches, double temperature) {
        List<Tensor> out = new ArrayList<>();
        for (double[] d : scores(model, batches)) {
            out.add(Tensor.wrap(fromScores(d, temperature), d.length).to(model.device()));
        }
        return out;
    }

    /**
     * a = softmax(z / temperature), z = (d − mean d) / std d (ddof 0). Constant scores (std 0)
     * give a = 1/C instead of NaN (spec §7, test 2).
     */
    public static float[] fromScores(double[] d, double temperature) {
        int c = d.length;
        double mean = 0;
        for (double v : d) mean += v;
        mean /= c;
        double var = 0;
        for (double v : d) var += (v - mean) * (v - mean);
        double std = Math.sqrt(var / c);
        if (!(std > 0)) return filled(c, 1f / c);
        double[] e = new double[c];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) {
            e[i] = (d[i] - mean) / std / temperature;
            max = Math.max(max, e[i]);
        }
        double sum = 0;
        for (int i = 0; i < c; i++) {
            e[i] = Math.exp(e[i] - max);                // shifted: exp never overflows
            sum += e[i];
        }
        float[] a = new float[c];
        for (int i = 0; i < c; i++) a[i] = (float) (e[i] / sum);
        return a;
    }

    private static double loss(ResNet model, Batch batch) {
        return model.forward(Variable.constant(batch.images()))
                .crossEntropy(batch.labels(), Reduction.MEAN).item();
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
