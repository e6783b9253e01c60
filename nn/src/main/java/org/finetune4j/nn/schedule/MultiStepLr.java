package org.finetune4j.nn.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * Decays by gamma at each milestone reached: lr(t) = base · gamma^#{m ∈ milestones : m ≤ t}, as
 * torch.optim.lr_scheduler.MultiStepLR
 * (https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.MultiStepLR.html); a milestone
 * listed twice counts twice, as in PyTorch's Counter.
 */
public record MultiStepLr(List<Long> milestones, double gamma) implements LrSchedule {
    public MultiStepLr {
        milestones = List.copyOf(milestones);
        for (long m : milestones) {
            if (m < 0) throw new IllegalArgumentException("MultiStepLr: negative milestone " + m);
        }
        if (!(gamma >= 0)) {
            throw new IllegalArgumentException("MultiStepLr: invalid gamma " + gamma);
        }
    }

    public static MultiStepLr of(double gamma, long... milestones) {
        List<Long> list = new ArrayList<>();
        for (long m : milestones) list.add(m);
        return new MultiStepLr(list, gamma);
    }

    @Override
    public double lr(double baseLr, long t) {
        int passed = 0;
        for (long m : milestones) {
            if (m <= t) passed++;
        }
        return baseLr * Math.pow(gamma, passed);
    }
}
