package org.finetune4j.nn.loss;

import org.finetune4j.autograd.Reduction;
import org.finetune4j.autograd.Variable;

/**
 * Knowledge distillation with temperature T (Hinton et al. 2015, "Distilling the Knowledge in a
 * Neural Network", section 2): soft targets q = softmax(teacher/T), student p_T =
 * softmax(student/T), both (n, k). Each loss is scaled by T² so its gradients keep their size as T
 * changes (the paper's remark), and reduced as PyTorch's reduction = 'batchmean' (sum over
 * classes, mean over the batch):
 *   kl:            T² · (1/n) Σ_i Σ_c q_ic (log q_ic − log p_T,ic)
 *   softTargetCe:  T² · (1/n) Σ_i Σ_c −q_ic log p_T,ic   (= kl + T²·H(q); same student gradient)
 * The teacher logits are not detached: pass teacher.detach() (or a NoGrad output) for a frozen
 * teacher, keep the graph when the teacher is trained too.
 */
public record DistillationLoss(float temperature) {

    public DistillationLoss {
        if (!(temperature > 0f)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
    }

    /** KL(softmax(teacher/T) ‖ softmax(student/T))·T²: F.kl_div(…, 'batchmean')·T². */
    public Variable kl(Variable student, Variable teacher) {
        checkShapes(student, teacher);
        Variable t = teacher.mul(1f / temperature);
        Variable q = t.softmax(1);                                                // (n, k)
        Variable logRatio = t.logSoftmax(1).sub(student.mul(1f / temperature).logSoftmax(1));
        Variable perSample = q.mul(logRatio).sum(false, 1);                       // (n)
        return perSample.mean().mul(temperature * temperature);
    }

    /** Cross-entropy of the student against the soft targets, ·T². */
    public Variable softTargetCrossEntropy(Variable student, Variable teacher) {
        checkShapes(student, teacher);
        Variable q = teacher.mul(1f / temperature).softmax(1);
        Variable ce = student.mul(1f / temperature).crossEntropy(q, Reduction.MEAN);
        return ce.mul(temperature * temperature);
    }

    private static void checkShapes(Variable student, Variable teacher) {
        if (student.shape().rank() != 2 || !student.shape().equals(teacher.shape())) {
            throw new IllegalArgumentException("distillation needs student and teacher logits of"
                    + " one shape (n, k), got " + student.shape() + " and " + teacher.shape());
        }
    }
}
