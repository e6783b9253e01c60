package org.finetune4j.methods.delta;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.Objective;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.methods.l2sp.L2sp;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.Features;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.Stage;
import org.finetune4j.tensor.Tensor;

/**
 * DELTA: fine-tuning that keeps the hooked feature maps close to those of the frozen source.
 * Spec: ../shared/methods/delta.md — objective J(w), section 2.
 *   J(w) = 1/B Σᵢ CE(f(xᵢ; w), yᵢ) + α·Ω_att(w) + β·Ω_head(w)
 *   Ω_att = Σ_l ½ Σᵢ Σ_c (C_l·a_{l,c}) · mean_p (FM_l(xᵢ; w) − FM_l(xᵢ; w⁰))²
 *   Ω_head = ½‖w_head‖²
 * w⁰ is a deep copy of the model taken at construction, frozen, in eval mode, run under NoGrad.
 */
public final class Delta implements TransferMethod {
    private final ResNet model;
    private final ResNet source;               // w⁰: frozen, eval mode, never stepped
    private final List<Tensor> attention;      // a_l, (C_l) per hooked layer, each sums to 1
    private final DeltaConfig cfg;
    private final List<ParamGroup> groups;
    private final Optimizer optimizer;         // SGD over the model, weight decay 0

    /**
     * DELTA with w⁰ = the model as it is now: construct right after loading the pre-trained
     * weights and replacing the head. attention: from {@link ChannelAttention#compute} (or
     * {@link ChannelAttention#uniform} for the un-weighted ablation).
     */
    public Delta(ResNet model, List<Tensor> attention, DeltaConfig cfg) {
        List<Integer> widths = new ArrayList<>();
        ChannelAttention.hookedConvs(model).forEach(c -> widths.add(c.outChannels()));
        if (attention.size() != widths.size()) {
            throw new IllegalArgumentException("Delta: " + attention.size()
                    + " attention vectors for " + widths.size() + " hooked layers");
        }
        for (int l = 0; l < widths.size(); l++) {
            if (attention.get(l).shape().size() != widths.get(l)) {
                throw new IllegalArgumentException("Delta: attention of layer " + (l + 1)
                        + " has shape " + attention.get(l).shape() + ", the layer has "
                        + widths.get(l) + " channels");
            }
        }
        this.model = model;
        this.source = model.copy();
        source.setTrainable(false);
        source.freezeBatchNormStatistics(true);
        source.eval();
        List<Tensor> a = new ArrayList<>();
        for (Tensor t : attention) a.add(t.copy());
        this.attention = List.copyOf(a);
        this.cfg = cfg;
        List<ParamGroup> g = new ArrayList<>();
        g.add(ParamGroup.of(model.backboneParameters(), cfg.lr() * cfg.backboneLrMultiplier(), 0));
        g.add(ParamGroup.of(model.headParameters(), cfg.lr(), 0));
        this.groups = List.copyOf(g);
        this.optimizer = new Sgd(groups, Sgd.Options.momentum(cfg.momentum()));
    }

    /**
     * α·Ω_att for one batch, a scalar. student and teacher come from forwardWithFeatures of the
     * two networks on the same input; the teacher's taps are detached here.
     */
    public static Variable omegaBehaviour(Features student, Features teacher,
                                          List<Tensor> attention, double alpha) {
        Variable sum = null;
        for (int l = 0; l < attention.size(); l++) {
            Stage stage = Stage.values()[l + 1];
            Variable s = student.preBn(stage);                         // (n, C_l, H_l, W_l)
            Variable t = teacher.preBn(stage).detach();
            Tensor a = attention.get(l);                               // (C_l)
            int c = s.shape().dim(1);
            Tensor scaled = a.copy();
            scaled.scaleInPlace(c);                                    // C_l·a_{l,c}
            Variable perSample = s.weightedFeatureDistance(t, Variable.constant(scaled)); // (n)
            Variable d = perSample.sum();                              // Σ over the batch
            sum = sum == null ? d : sum.add(d);
        }
        if (sum == null) throw new IllegalArgumentException("omegaBehaviour: no hooked layers");
        return sum.mul((float) (alpha / 2));
    }

    /** The source's features on images, computed without a graph. */
    public Features sourceFeatures(Tensor images) {
        try (NoGrad ignored = NoGrad.enter()) {
            return source.forwardWithFeatures(Variable.constant(images));
        }
    }

    @Override
    public LossTerms step(Batch batch) {
        model.train();
        Features student = model.forwardWithFeatures(Variable.constant(batch.images()));
        Features teacher = sourceFeatures(batch.images());
        Map<String, Variable> terms = new LinkedHashMap<>();
        // J(w), data term: batch-mean cross-entropy
        terms.put("task", student.logits().crossEntropy(batch.labels(), Reduction.MEAN));
        // α·Ω_att: attention-weighted distance to the source's feature maps
        terms.put("omega_behaviour", omegaBehaviour(student, teacher, attention, cfg.alpha()));
        // β·Ω_head: plain L2 on the new head
        terms.put("omega_head", L2sp.omegaHead(model.headParameters(), cfg.beta()));
        return Objective.minimise(optimizer, terms);
    }

    @Override
    public String name() {
        return "delta";
    }

    @Override
    public ResNet model() {
        return model;
    }

    @Override
    public List<ParamGroup> parameterGroups() {
        return groups;
    }

    @Override
    public String description() {
        return "adds a frozen eval-mode copy w0 of the network and the penalty alpha * sum_l 1/2"
                + " sum_i sum_c C_l a_lc mean_hw (FM_l(w) - FM_l(w0))^2 on the pre-BN output of"
                + " each stage's last conv, plus beta/2 |w_head|^2; optimiser weight decay 0";
    }

    public ResNet source() {
        return source;
    }

    /** Copies of a_l, (C_l) per hooked layer. */
    public List<Tensor> attention() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : attention) out.add(t.copy());
        return out;
    }

    public DeltaConfig config() {
        return cfg;
    }

    @Override
    public List<Optimizer> optimizers() {
        return List.of(optimizer);
    }

    public Optimizer optimizer() {
        return optimizer;
    }
}
