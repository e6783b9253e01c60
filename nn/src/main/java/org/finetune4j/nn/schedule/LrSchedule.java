package org.finetune4j.nn.schedule;

import org.finetune4j.nn.optim.Optimizer;

/**
 * A learning rate as a pure function of a group's base rate and the count t (epochs or steps,
 * whichever the caller advances; t = 0 is the first). Statelessness is the point: a resumed run
 * calls {@link #applyTo} with its restored t and gets exactly the rates of an uninterrupted one.
 * This matches PyTorch's schedulers, whose lr after t calls of scheduler.step() equals lr(base, t).
 */
@FunctionalInterface
public interface LrSchedule {
    double lr(double baseLr, long t);

    /** Sets every group's current rate from its base rate ({@code ParamGroup.lr()}). */
    default void applyTo(Optimizer optimizer, long t) {
        for (int g = 0; g < optimizer.groups().size(); g++) {
            optimizer.setLr(g, lr(optimizer.groups().get(g).lr(), t));
        }
    }

    /** The base rate throughout. */
    static LrSchedule constant() {
        return (baseLr, t) -> baseLr;
    }
}
