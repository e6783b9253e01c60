package org.finetune4j.nn.schedule;

/**
 * Linear warm-up over the first {@code warmup} counts, then another schedule restarted at 0:
 * <pre>
 *   lr(t) = base · (startFactor + (1 − startFactor) · t / warmup)   for t &lt; warmup
 *   lr(t) = then.lr(base, t − warmup)                               for t ≥ warmup
 * </pre>
 * These are PyTorch's semantics for SequentialLR([LinearLR(opt, start_factor, total_iters=warmup),
 * then], milestones=[warmup]) (torch.optim.lr_scheduler.LinearLR and .SequentialLR under
 * https://pytorch.org/docs/1.13/generated/); with {@code then = LrSchedule.constant()} it is
 * LinearLR alone. So the first count runs at
 * startFactor · base (not at 0), and a cosine that follows spans its own tMax after the warm-up.
 * startFactor may be 0 here (PyTorch's recursive form needs it &gt; 0).
 */
public record LinearWarmup(long warmup, double startFactor, LrSchedule then) implements LrSchedule {
    public LinearWarmup {
        if (warmup < 0) {
            throw new IllegalArgumentException("LinearWarmup: warmup " + warmup + " < 0");
        }
        if (!(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearWarmup: startFactor " + startFactor
                    + " outside [0, 1]");
        }
        if (then == null) throw new IllegalArgumentException("LinearWarmup: no schedule to follow");
    }

    @Override
    public double lr(double baseLr, long t) {
        if (t >= warmup) return then.lr(baseLr, t - warmup);
        return baseLr * (startFactor + (1 - startFactor) * t / warmup);
    }
}
