package org.finetune4j.nn.schedule;

/**
 * Cosine annealing from the base rate to etaMin over tMax counts:
 * lr(t) = etaMin + (base − etaMin) · (1 + cos(π·t / tMax)) / 2, the closed form of
 * torch.optim.lr_scheduler.CosineAnnealingLR
 * (https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html).
 * Past tMax it rises again along the same cosine, as PyTorch's does; etaMin is absolute, so
 * groups with different base rates all end at etaMin.
 */
public record CosineLr(long tMax, double etaMin) implements LrSchedule {
    public CosineLr {
        if (tMax < 1) throw new IllegalArgumentException("CosineLr: tMax " + tMax + " < 1");
        if (!(etaMin >= 0)) {
            throw new IllegalArgumentException("CosineLr: invalid etaMin " + etaMin);
        }
    }

    @Override
    public double lr(double baseLr, long t) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}
