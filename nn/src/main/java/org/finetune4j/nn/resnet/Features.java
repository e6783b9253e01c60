package org.finetune4j.nn.resnet;

import java.util.List;
import org.finetune4j.autograd.Variable;

/**
 * What {@link ResNet#forwardWithFeatures} returns, picked by {@link Stage} instead of layer
 * names. outputs: F0 (stem output, the input of layer1) then each stage's output, (n, c, h, w).
 * preBn: per feature point the output of its last conv before that conv's BN, the taps DELTA
 * hooks (F0: the stem conv; Fk: the last conv of layerk's last block, e.g. layer3.1.conv2).
 * pooled (n, featureDim) feeds the head; logits (n, classes).
 */
public record Features(List<Variable> outputs, List<Variable> preBn, Variable pooled,
                       Variable logits) {

    public Features {
        outputs = List.copyOf(outputs);
        preBn = List.copyOf(preBn);
    }

    /** The output at a feature point (F0 = stem). */
    public Variable at(Stage s) {
        return outputs.get(check(s));
    }

    /** The pre-BN output of the last conv before that feature point. */
    public Variable preBn(Stage s) {
        return preBn.get(check(s));
    }

    /** Number of stages (feature points F1..Fk). */
    public int stages() {
        return outputs.size() - 1;
    }

    private int check(Stage s) {
        if (s.index() >= outputs.size()) {
            throw new IllegalArgumentException("feature point " + s + " does not exist: this"
                    + " network has F0..F" + stages());
        }
        return s.index();
    }
}
