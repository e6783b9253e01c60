package org.finetune4j.methods.l2sp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.Objective;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;

/**
 * L2-SP: fine-tuning with a penalty towards the pre-trained starting point.
 * Spec: ../shared/methods/l2sp.md — objective J(w), section 2.
 *   J(w) = 1/B Σᵢ CE(f(xᵢ; w), yᵢ) + Ω(w)
 *   Ω(w) = α/2 · ‖w_S − w_S⁰‖²  +  β/2 · ‖w_S̄‖²
 *   S: every parameter except the head (BN γ/β included, running statistics excluded);
 *   S̄: the new head (weight and bias); w⁰: starting point, snapshot at construction.
 * The optimiser has weight decay 0: Ω replaces it and goes through momentum like the data term.
 */
public final class L2sp implements TransferMethod {
    private final String name;
    private final ResNet model;
    private final StartingPoint w0;            // frozen copy of w_S⁰
    private final L2spConfig cfg;
    private final List<ParamGroup> groups;
    private final Optimizer optimizer;         // SGD over all trainable parameters, no decay

    /** L2-SP with w⁰ = the model's current backbone: construct right after loading weights. */
    public L2sp(ResNet model, L2spConfig cfg) {
        this("l2sp", model, StartingPoint.snapshot(model.backboneParameters()), cfg);
    }

    private L2sp(String name, ResNet model, StartingPoint w0, L2spConfig cfg) {
        this.name = name;
        this.model = model;
        this.w0 = w0;
        this.cfg = cfg;
        List<ParamGroup> g = new ArrayList<>();
        g.add(ParamGroup.of(model.backboneParameters(), cfg.lr() * cfg.backboneLrMultiplier(), 0));
        g.add(ParamGroup.of(model.headParameters(), cfg.lr(), 0));
        this.groups = List.copyOf(g);
        this.optimizer = new Sgd(groups, Sgd.Options.momentum(cfg.momentum()));
    }

    /** The "L2" ablation of the paper written into the loss: the same Ω with w_S⁰ := 0. */
    public static L2sp towardsZero(ResNet model, L2spConfig cfg) {
        return new L2sp("explicit-l2", model, StartingPoint.zeros(model.backboneParameters()), cfg);
    }

    /** Ω(w), first term: α/2 · ‖w_S − w_S⁰‖². */
    public static Variable omegaStart(StartingPoint w0, Map<String, Parameter> shared,
                                      double alpha) {
        return w0.squaredDistance(shared).mul((float) (alpha / 2));
    }

    /** Ω(w), second term: β/2 · ‖w_S̄‖², plain L2 towards zero on the new head. */
    public static Variable omegaHead(Map<String, Parameter> head, double beta) {
        Variable sum = null;
        for (Parameter p : head.values()) {
            Variable s = p.variable().square().sum();
            sum = sum == null ? s : sum.add(s);
        }
        if (sum == null) throw new IllegalArgumentException("omegaHead: no head parameters");
        return sum.mul((float) (beta / 2));
    }

    /** Ω(w) as one loss term, for a user's own training loop. */
    public static Variable penalty(StartingPoint w0, Map<String, Parameter> shared,
                                   Map<String, Parameter> head, double alpha, double beta) {
        return omegaStart(w0, shared, alpha).add(omegaHead(head, beta));
    }

    /** Ω(w) of this method's model. */
    public Variable penalty() {
        return penalty(w0, model.backboneParameters(), model.headParameters(), cfg.alpha(),
                cfg.beta());
    }

    @Override
    public LossTerms step(Batch batch) {
        model.train();
        Variable logits = model.forward(Variable.constant(batch.images()));   // (n, classes)
        Map<String, Variable> terms = new LinkedHashMap<>();
        // J(w), data term: batch-mean cross-entropy
        terms.put("task", logits.crossEntropy(batch.labels(), Reduction.MEAN));
        // Ω, first term: stay close to the starting point on the shared weights
        terms.put("omega_start", omegaStart(w0, model.backboneParameters(), cfg.alpha()));
        // Ω, second term: weight decay on the new head
        terms.put("omega_head", omegaHead(model.headParameters(), cfg.beta()));
        return Objective.minimise(optimizer, terms);
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
    public List<ParamGroup> parameterGroups() {
        return groups;
    }

    @Override
    public String description() {
        return "adds a frozen copy w0 of the backbone (" + (name.equals("l2sp") ? "pre-trained"
                : "zeros") + ") and the penalty alpha/2 |w_S - w0|^2 + beta/2 |w_head|^2; "
                + "optimiser weight decay 0";
    }

    public StartingPoint startingPoint() {
        return w0;
    }

    public L2spConfig config() {
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
