package org.finetune4j.methods.fitnets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.NoGrad;
import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.methods.Objective;
import org.finetune4j.methods.TransferMethod;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.loss.DistillationLoss;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.RmsProp;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.nn.resnet.Stage;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * FitNets: hint training of the student's lower part, then training of the whole student.
 * Spec: ../shared/methods/fitnets.md, section 2; hint = teacher F2, guided = student F2.
 *   Stage 1:  L_HT = 1/B Σᵢ ½ Σ_elements (u_h(xᵢ) − r(v_g(xᵢ); W_r))²
 *   Stage 2:  L_KD = 1/B Σᵢ [ H(yᵢ, softmax(z_S)) + λ(epoch) · H(P_T^τ, P_S^τ) ]   (mode A)
 *             L    = 1/B Σᵢ H(yᵢ, softmax(z_S))                                   (mode B)
 * The caller advances the per-epoch schedule with {@link #advanceEpoch()}: the first hintEpochs
 * epochs are stage 1, then stage 2 with λ annealed from its own epoch 0. The teacher is frozen in
 * place (parameters, BN statistics, eval mode) and runs under NoGrad. Stage 1 trains only the
 * student's stem and layers up to the guided point, plus the regressor; stage 2 the whole student
 * (the regressor is dropped). Both stages use RMSProp, as the original code.
 */
public final class FitNets implements TransferMethod {
    /** A: same-task compression with KD; B: cross-task hint from a source-pretrained teacher. */
    public enum Mode { COMPRESSION, CROSS_TASK }

    /** The training stage the schedule is in. */
    public enum Phase { HINT, KD }

    /** Hint and guided layer for the small ResNet: the middle feature point (spec §5). */
    public static final Stage DEFAULT_POINT = Stage.F2;

    private final Mode mode;
    private final ResNet teacher;                 // frozen; hint layer u_h, logits z_T
    private final ResNet student;                 // trained; guided layer v_g, logits z_S
    private final Stage point;                    // hint = teacher at point, guided = student at it
    private final HintRegressor regressor;        // r(.; W_r), stage 1 only
    private final FitNetsConfig cfg;
    private final List<ParamGroup> hintGroups;    // student lower part + regressor
    private final List<ParamGroup> fullGroups;    // every student parameter
    private final Optimizer hintOptimizer;
    private final Optimizer fullOptimizer;
    private int epoch;                            // epochs completed since construction

    /**
     * imageSize: side of the (square) training images, used once to size the regressor from the
     * two networks' maps at point.
     */
    public FitNets(Mode mode, ResNet teacher, ResNet student, Stage point, int imageSize,
                   FitNetsConfig cfg, Rng rng) {
        if (point == Stage.F0 || point.index() > Math.min(teacher.stages(), student.stages())) {
            throw new IllegalArgumentException("FitNets: hint point " + point + " must be one of"
                    + " F1..F" + Math.min(teacher.stages(), student.stages()));
        }
        this.mode = mode;
        this.teacher = teacher;
        this.student = student;
        this.point = point;
        this.cfg = cfg;
        teacher.setTrainable(false);
        teacher.freezeBatchNormStatistics(true);
        teacher.eval();
        this.regressor = sizeRegressor(teacher, student, point, imageSize, rng);
        Map<String, Parameter> r = new LinkedHashMap<>();
        regressor.namedParameters().forEach((k, p) -> r.put("regressor." + k, p));
        this.hintGroups = List.of(ParamGroup.of(student, this::isLowerPart, cfg.lr(), 0),
                ParamGroup.of(r, cfg.lr(), 0));
        this.fullGroups = List.of(ParamGroup.of(student, stage2Lr(cfg), decay(cfg)));
        // Stage 1 always uses RMSProp: L_HT sums squares over every element of the hint map,
        // a scale an SGD step would have to be tuned to; RMSProp's per-weight normalisation
        // makes it scale-free. Stage 2 is ordinary supervised training: RMSProp as in the 2015
        // code, or the baselines' SGD when comparing methods.
        this.hintOptimizer = new RmsProp(hintGroups, rmsOptions(cfg));
        this.fullOptimizer = optimizer(fullGroups, cfg);
    }

    private static double stage2Lr(FitNetsConfig cfg) {
        return cfg.optimizer() == FitNetsConfig.Optimizer.SGD ? cfg.sgdLr() : cfg.lr();
    }

    private static double decay(FitNetsConfig cfg) {
        return cfg.optimizer() == FitNetsConfig.Optimizer.SGD ? cfg.weightDecay() : 0;
    }

    /** Stage 2: RMSProp as the 2015 code, or the library's SGD + momentum (spec §8). */
    private static Optimizer optimizer(List<ParamGroup> groups, FitNetsConfig cfg) {
        if (cfg.optimizer() == FitNetsConfig.Optimizer.SGD) {
            return new Sgd(groups, Sgd.Options.momentum(cfg.momentum()));
        }
        return new RmsProp(groups, rmsOptions(cfg));
    }

    private static RmsProp.Options rmsOptions(FitNetsConfig cfg) {
        return new RmsProp.Options(cfg.rmsDecay(), 1e-8, 0, false);
    }

    /** Mode A with hint = teacher F2, guided = student F2. */
    public static FitNets compression(ResNet teacher, ResNet student, int imageSize,
                                      FitNetsConfig cfg, Rng rng) {
        return new FitNets(Mode.COMPRESSION, teacher, student, DEFAULT_POINT, imageSize, cfg, rng);
    }

    /**
     * Mode B: teacher = the frozen source network, student trained on the target. The student
     * should be freshly initialised (FitNets; L2T-ww's "FM" baseline): started from the source
     * weights, stage 1 merely pulls those features towards the random regressor.
     */
    public static FitNets crossTask(ResNet source, ResNet student, int imageSize,
                                    FitNetsConfig cfg, Rng rng) {
        return new FitNets(Mode.CROSS_TASK, source, student, DEFAULT_POINT, imageSize, cfg, rng);
    }

    private static HintRegressor sizeRegressor(ResNet teacher, ResNet student, Stage point,
                                               int imageSize, Rng rng) {
        // a copy in eval mode, so probing never moves the student's BN running statistics
        ResNet probe = student.copy();
        probe.eval();
        int in = student.config().inChannels();
        try (NoGrad ignored = NoGrad.enter()) {
            Variable x = Variable.constant(Tensor.zeros(1, in, imageSize, imageSize)
                    .to(student.device()));
            return HintRegressor.between(lowerPart(probe, point, x), lowerPart(teacher, point, x),
                    rng);
        }
    }

    /** The network up to and including a feature point: stem, then layer1..layer{point}. */
    public static Variable lowerPart(ResNet net, Stage point, Variable x) {
        Variable h = net.stem(x);
        for (int s = 0; s < point.index(); s++) h = net.layer(s).forward(h);
        return h;
    }

    private boolean isLowerPart(String name) {
        if (name.startsWith("conv1.") || name.startsWith("bn1.")) return true;
        for (int s = 1; s <= point.index(); s++) {
            if (name.startsWith("layer" + s + ".")) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- equations

    /** L_HT = 1/B · ½ Σ (u_h − r)², summed over every element, mean over the batch (n). */
    public static Variable hintLoss(Variable regressed, Variable hint) {
        if (!regressed.shape().equals(hint.shape())) {
            throw new IllegalArgumentException("hintLoss: regressor output " + regressed.shape()
                    + " differs from hint " + hint.shape());
        }
        int batch = regressed.shape().dims()[0];
        return hint.sub(regressed).square().sum().mul(0.5f / batch);
    }

    /**
     * 1/B Σᵢ H(P_T^τ, P_S^τ), no τ² unless tauSquared (the original code has none).
     * DistillationLoss always multiplies by τ², so it is divided out here.
     */
    public static Variable kdTerm(Variable studentLogits, Variable teacherLogits, double tau,
                                  boolean tauSquared) {
        float t = (float) tau;
        Variable ce = new DistillationLoss(t).softTargetCrossEntropy(studentLogits, teacherLogits);
        return tauSquared ? ce : ce.mul(1f / (t * t));
    }

    // ---------------------------------------------------------------- training

    @Override
    public LossTerms step(Batch batch) {
        Variable x = Variable.constant(batch.images());             // (n, c, H, W)
        student.train();
        Map<String, Variable> terms = new LinkedHashMap<>();
        if (phase() == Phase.HINT) {
            Variable u;                                             // (n, C_t, N_h, N_h)
            try (NoGrad ignored = NoGrad.enter()) {
                u = lowerPart(teacher, point, x);
            }
            Variable r = regressor.forward(lowerPart(student, point, x));
            terms.put("hint", hintLoss(r, u));
            return Objective.minimise(hintOptimizer, terms);
        }
        Variable zs = student.forward(x);                           // (n, classes)
        terms.put("task", zs.crossEntropy(batch.labels(), Reduction.MEAN));
        if (mode == Mode.COMPRESSION) {
            Variable zt;
            try (NoGrad ignored = NoGrad.enter()) {
                zt = teacher.forward(x);
            }
            terms.put("kd", kdTerm(zs, zt, cfg.tau(), cfg.tauSquared()).mul((float) lambda()));
        }
        return Objective.minimise(fullOptimizer, terms);
    }

    /** Ends the current epoch: the schedule moves from stage 1 to stage 2 and anneals λ. */
    public void advanceEpoch() {
        epoch++;
    }

    public int epoch() {
        return epoch;
    }

    public Phase phase() {
        return epoch < cfg.hintEpochs() ? Phase.HINT : Phase.KD;
    }

    /** λ of the current epoch: 0 in stage 1 and in mode B, else the annealed schedule. */
    public double lambda() {
        if (phase() == Phase.HINT || mode == Mode.CROSS_TASK) return 0;
        return cfg.lambda(epoch - cfg.hintEpochs());
    }

    @Override
    public List<Optimizer> optimizers() {
        return List.of(hintOptimizer, fullOptimizer);
    }

    @Override
    public String name() {
        return mode == Mode.COMPRESSION ? "fitnets" : "fitnets-cross-task";
    }

    @Override
    public ResNet model() {
        return student;
    }

    /** The groups of the current stage. */
    @Override
    public List<ParamGroup> parameterGroups() {
        return phase() == Phase.HINT ? hintGroups : fullGroups;
    }

    @Override
    public String description() {
        return "adds a frozen teacher and a hint regressor (" + regressor.conv() + ", ReLU); "
                + cfg.hintEpochs() + " hint epochs train stem..layer" + point.index()
                + " + regressor on 1/2|u_h - r(v_g)|^2, then the whole student on CE"
                + (mode == Mode.COMPRESSION ? " + lambda(epoch) H(P_T^tau, P_S^tau), tau "
                + cfg.tau() : "") + "; RMSProp";
    }

    public ResNet teacher() {
        return teacher;
    }

    public HintRegressor regressor() {
        return regressor;
    }

    public Mode mode() {
        return mode;
    }

    public FitNetsConfig config() {
        return cfg;
    }
}
