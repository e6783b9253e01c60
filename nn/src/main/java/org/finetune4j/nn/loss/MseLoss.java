package org.finetune4j.nn.loss;

import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;

/**
 * PyTorch's nn.MSELoss: (input − target)² elementwise, reduced by mean (default), sum or none.
 * Shapes must match exactly (PyTorch warns on broadcasting; here it is an error).
 */
public record MseLoss(Reduction reduction) {

    public MseLoss() {
        this(Reduction.MEAN);
    }

    public Variable forward(Variable input, Variable target) {
        if (!input.shape().equals(target.shape())) {
            throw new IllegalArgumentException("MSE of " + input.shape() + " against "
                    + target.shape() + ": shapes must match");
        }
        return Losses.reduce(input.sub(target).square(), reduction);
    }
}
