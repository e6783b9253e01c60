package org.finetune4j.nn.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;

/**
 * Parameters that share a base learning rate and a weight decay, as a PyTorch param_group. The
 * standard fine-tuning baseline gives the backbone a tenth of the head's rate:
 * <pre>{@code
 * Optimizer sgd = new Sgd(List.of(
 *         ParamGroup.of(net, n -> !n.startsWith("fc."), 0.001, 1e-4),
 *         ParamGroup.of(net, n -> n.startsWith("fc."), 0.01, 1e-4)),
 *     Sgd.Options.momentum(0.9));
 * }</pre>
 * {@code lr} is the base rate (PyTorch's initial_lr): schedules scale it, and the optimiser keeps
 * the current rate itself ({@link Optimizer#setLr}). Options other than lr and weight decay
 * (momentum, betas, …) are set per optimiser, not per group: PyTorch allows them per group, but no
 * method here varies them, and one group type keeps schedules optimiser-agnostic.
 *
 * <p>{@code names} (parallel to {@code params}, or null) name each parameter's optimiser state in
 * checkpoints ("conv1.weight.momentum_buffer", matching the module's own keys); a null list falls
 * back to positions ("&lt;group&gt;.&lt;index&gt;.momentum_buffer"). Frozen parameters may be
 * listed: the optimiser skips them until they are unfrozen.
 */
public record ParamGroup(List<Parameter> params, List<String> names, double lr,
                         double weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
        if (names != null) {
            names = List.copyOf(names);
            if (names.size() != params.size()) {
                throw new IllegalArgumentException("ParamGroup: " + names.size() + " names for "
                        + params.size() + " parameters");
            }
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("ParamGroup: invalid learning rate " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("ParamGroup: invalid weight decay " + weightDecay);
        }
    }

    /** Every parameter of module (frozen ones included), named as in its state dict. */
    public static ParamGroup of(Module module, double lr, double weightDecay) {
        return of(module.namedParameters(), lr, weightDecay);
    }

    /** The parameters of module whose state-dict name passes select; at least one must. */
    public static ParamGroup of(Module module, Predicate<String> select, double lr,
                                double weightDecay) {
        List<Parameter> params = new ArrayList<>();
        List<String> names = new ArrayList<>();
        module.namedParameters().forEach((name, p) -> {
            if (select.test(name)) {
                params.add(p);
                names.add(name);
            }
        });
        if (params.isEmpty()) {
            throw new IllegalArgumentException("ParamGroup.of: the predicate selects none of "
                    + module.namedParameters().keySet());
        }
        return new ParamGroup(params, names, lr, weightDecay);
    }

    /** Parameters under their names, in the map's iteration order. */
    public static ParamGroup of(Map<String, Parameter> named, double lr, double weightDecay) {
        return new ParamGroup(new ArrayList<>(named.values()), new ArrayList<>(named.keySet()), lr,
                weightDecay);
    }

    /** Parameters without names: their state is keyed by position. */
    public static ParamGroup unnamed(List<Parameter> params, double lr, double weightDecay) {
        return new ParamGroup(params, null, lr, weightDecay);
    }
}
