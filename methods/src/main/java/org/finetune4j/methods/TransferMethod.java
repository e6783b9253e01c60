package org.finetune4j.methods;

import java.util.List;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.data.Batch;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;

/**
 * A transfer-learning method: a target model plus the paper's training objective. {@link #step}
 * performs one optimisation step on a batch (forward, loss terms, backward, optimiser step) and
 * returns the named scalar terms it minimised. A user with their own loop can instead build an
 * optimiser over {@link #parameterGroups()} and add the method's regulariser (e.g.
 * {@code L2sp.penalty}) to their loss.
 */
public interface TransferMethod {
    /** Short identifier used in logs and result tables ("l2sp", "linear-probe", …). */
    String name();

    /** The network being trained on the target task. */
    Module model();

    LossTerms step(Batch batch);

    /** Learning rates and weight decays the method trains with; frozen parameters are absent. */
    List<ParamGroup> parameterGroups();

    /** What the method adds to plain training: extra networks, frozen parts, penalties. */
    String description();

    /** The optimisers step() uses (FitNets has one per stage): the hook for schedules. */
    List<Optimizer> optimizers();

    /**
     * Sets every group's learning rate to factor × the rate the method was configured with,
     * e.g. 0.1 after two thirds of training for the step decay of the L2-SP and DELTA papers.
     */
    default void scaleLearningRates(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("learning-rate factor must be >= 0, got " + factor);
        }
        for (Optimizer o : optimizers()) {
            List<ParamGroup> g = o.groups();
            for (int i = 0; i < g.size(); i++) o.setLr(i, g.get(i).lr() * factor);
        }
    }
}
