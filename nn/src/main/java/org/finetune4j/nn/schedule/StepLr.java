package org.finetune4j.nn.schedule;

/**
 * Decays by gamma every stepSize counts: lr(t) = base · gamma^⌊t / stepSize⌋, as
 * torch.optim.lr_scheduler.StepLR
 * (https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.StepLR.html).
 */
public record StepLr(long stepSize, double gamma) implements LrSchedule {
    public StepLr {
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLr: stepSize " + stepSize + " < 1");
        }
        if (!(gamma >= 0)) throw new IllegalArgumentException("StepLr: invalid gamma " + gamma);
    }

    @Override
    public double lr(double baseLr, long t) {
        return baseLr * Math.pow(gamma, (double) (t / stepSize));
    }
}
