package org.finetune4j.methods;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.l2sp.L2sp;
import org.finetune4j.methods.l2sp.L2spConfig;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.ResNetConfig;
import org.finetune4j.tensor.Rng;

/**
 * The common baselines every method is compared against (spec: ../shared/methods/README.md,
 * "Common baselines" 1-5): the objective is the batch-mean cross-entropy alone; they differ in
 * initialisation, in what is frozen and in the learning rates. The model passed in already
 * carries the target head ({@link ResNet#replaceHead}); the factories freeze parts of it in place.
 */
public final class Baseline implements TransferMethod {
    private final String name;
    private final String description;
    private final ResNet model;
    private final List<ParamGroup> groups;
    private final Optimizer optimizer;

    private Baseline(String name, String description, ResNet model, BaselineConfig cfg) {
        this.name = name;
        this.description = description;
        this.model = model;
        this.groups = trainableGroups(model, cfg);
        this.optimizer = new Sgd(groups, Sgd.Options.momentum(cfg.momentum()));
    }

    /** 1. Same architecture, random (He) initialisation from rng, everything trained. */
    public static Baseline scratch(ResNetConfig config, Rng rng, BaselineConfig cfg) {
        return new Baseline("scratch", "random initialisation; nothing frozen, nothing added",
                new ResNet(config, rng), cfg);
    }

    /** 2. Standard fine-tuning ("L2" of L2-SP): all trained, optimiser weight decay to zero. */
    public static Baseline fineTune(ResNet model, BaselineConfig cfg) {
        return new Baseline("fine-tune", "pre-trained backbone at " + cfg.backboneLrMultiplier()
                + "× the head's learning rate; weight decay " + cfg.weightDecay(), model, cfg);
    }

    /** 3. Linear probe: backbone frozen and its BN normalising with the source statistics. */
    public static Baseline linearProbe(ResNet model, BaselineConfig cfg) {
        model.setTrainable(false);
        model.freezeBatchNormStatistics(true);
        model.fc().setTrainable(true);
        return new Baseline("linear-probe",
                "backbone frozen with source BN statistics; only the head is trained", model, cfg);
    }

    /** 4. Stem and stages 1..k frozen (parameters and BN statistics); the rest fine-tuned. */
    public static Baseline freezeStages(ResNet model, int k, BaselineConfig cfg) {
        if (k < 0 || k > model.stages()) {
            throw new IllegalArgumentException("freezeStages: k = " + k + " outside 0.."
                    + model.stages());
        }
        List<Module> frozen = new ArrayList<>(List.of(model.conv1(), model.bn1()));
        for (int s = 0; s < k; s++) frozen.add(model.layer(s));
        for (Module m : frozen) {
            m.setTrainable(false);
            m.freezeBatchNormStatistics(true);
        }
        return new Baseline("freeze-" + k, "stem and stages 1.." + k
                + " frozen with source BN statistics; later stages and head fine-tuned",
                model, cfg);
    }

    /** 5. Explicit L2 towards zero in the loss: L2-SP with w⁰ = 0, optimiser weight decay 0. */
    public static L2sp explicitL2(ResNet model, L2spConfig cfg) {
        return L2sp.towardsZero(model, cfg);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ResNet model() {
        return model;
    }

    @Override
    public LossTerms step(Batch batch) {
        model.train();
        Variable logits = model.forward(Variable.constant(batch.images()));   // (n, classes)
        Variable task = logits.crossEntropy(batch.labels(), Reduction.MEAN);
        Map<String, Variable> terms = new LinkedHashMap<>();
        terms.put("task", task);
        return Objective.minimise(optimizer, terms);
    }

    @Override
    public List<ParamGroup> parameterGroups() {
        return groups;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<Optimizer> optimizers() {
        return List.of(optimizer);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Backbone group (lr × multiplier) then head group (lr); frozen parameters left out. */
    static List<ParamGroup> trainableGroups(ResNet model, BaselineConfig cfg) {
        List<ParamGroup> out = new ArrayList<>();
        Map<String, Parameter> backbone = trainable(model.backboneParameters());
        if (!backbone.isEmpty()) {
            out.add(ParamGroup.of(backbone, cfg.lr() * cfg.backboneLrMultiplier(),
                    cfg.weightDecay()));
        }
        out.add(ParamGroup.of(trainable(model.headParameters()), cfg.lr(), cfg.weightDecay()));
        return List.copyOf(out);
    }

    private static Map<String, Parameter> trainable(Map<String, Parameter> params) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        params.forEach((k, p) -> {
            if (p.trainable()) out.put(k, p);
        });
        return out;
    }
}
