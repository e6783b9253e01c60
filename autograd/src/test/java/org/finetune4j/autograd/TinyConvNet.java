package org.finetune4j.autograd;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;

/**
 * The small L2T-ww-shaped network of SecondOrderTest. Data x (2, 2, 6, 6), labels, and a constant
 * teacher feature map (2, 4, 5, 5). Parameters θ and meta-parameters φ:
 *   h = pool(relu(bn(conv(x, w1))))               (2, 3, 3, 3), pool = max or avg 2×2
 *   f = conv(bilinear(h, 5×5), w2)                (2, 4, 5, 5)   the student feature map
 *   logits = linear(globalAvgPool(relu6(f)), w3, b3)                (2, 3)
 *   λ = softmax(linear(globalAvgPool(teacher), metaW, metaB))      (2, 4)   weights from φ
 *   L(θ, φ) = CE(logits, labels) + β · mean_n Σ_c λ_nc · mean_hw (f − teacher)²
 * Each forward records the inputs of its kinks (ReLU, ReLU6, max pooling), so a finite-difference
 * probe can prove it stayed on the same linear piece.
 */
final class TinyConvNet {
    static final float BETA = 1f;
    static final List<String> NAMES =
            List.of("w1", "gamma1", "beta1", "w2", "w3", "b3", "metaW", "metaB");
    private static final float BN_EPS = 1e-5f;

    final Variable w1;                                              // (3, 2, 3, 3)
    final Variable gamma1;                                          // (3)
    final Variable beta1;                                           // (3)
    final Variable w2;                                              // (4, 3, 3, 3)
    final Variable w3;                                              // (3, 4)
    final Variable b3;                                              // (3)
    final Variable metaW;                                           // (4, 4)  φ
    final Variable metaB;                                           // (4)     φ
    private final Variable x;                                       // (2, 2, 6, 6)
    private final Variable teacher;                                 // (2, 4, 5, 5)
    private final int[] labels = {2, 0};
    private final boolean maxPool;
    private final List<Tensor> kinkInputs = new ArrayList<>();      // of the latest forward

    TinyConvNet(long seed, boolean maxPool) {
        Rng rng = Rng.seeded(seed);
        this.maxPool = maxPool;
        x = Variable.constant(Tensor.uniform(rng, -1f, 1f, 2, 2, 6, 6));
        teacher = Variable.constant(Tensor.uniform(rng, -0.5f, 1.5f, 2, 4, 5, 5));
        w1 = Variable.param(Tensor.uniform(rng, -0.4f, 0.4f, 3, 2, 3, 3));
        gamma1 = Variable.param(Tensor.uniform(rng, 0.8f, 1.2f, 3));
        beta1 = Variable.param(Tensor.uniform(rng, -0.2f, 0.2f, 3));
        w2 = Variable.param(Tensor.uniform(rng, -0.4f, 0.4f, 4, 3, 3, 3));
        w3 = Variable.param(Tensor.uniform(rng, -1f, 1f, 3, 4));
        b3 = Variable.param(Tensor.uniform(rng, -0.2f, 0.2f, 3));
        metaW = Variable.param(Tensor.uniform(rng, -2f, 2f, 4, 4));
        metaB = Variable.param(Tensor.uniform(rng, -0.5f, 0.5f, 4));
    }

    List<Variable> theta() {
        return List.of(w1, gamma1, beta1, w2, w3, b3);
    }

    List<Variable> phi() {
        return List.of(metaW, metaB);
    }

    List<Variable> thetaAndPhi() {
        List<Variable> all = new ArrayList<>(theta());
        all.addAll(phi());
        return all;
    }

    /** The student feature map f and the logits, for parameters θ in theta() order. */
    private Variable[] features(List<Variable> theta) {
        kinkInputs.clear();
        Variable z = x.conv2d(theta.get(0), null, 1, 1, 1)
                .batchNorm(theta.get(1), theta.get(2), null, null, 0.1f, BN_EPS);   // (2, 3, 6, 6)
        Variable r = z.relu();
        Variable h = maxPool ? r.maxPool2d(2, 2, 0) : r.avgPool2d(2, 2, 0);         // (2, 3, 3, 3)
        Variable f = h.bilinearResize(5, 5).conv2d(theta.get(3), null, 1, 1, 1);    // (2, 4, 5, 5)
        Variable logits = f.relu6().globalAvgPool().linear(theta.get(4), theta.get(5));   // (2, 3)
        kinkInputs.add(z.value());
        kinkInputs.add(r.value());
        kinkInputs.add(f.value());
        return new Variable[] {f, logits};
    }

    /** Cross-entropy only: L2T-ww's target loss. */
    Variable classification(List<Variable> theta) {
        return features(theta)[1].crossEntropy(labels, Reduction.MEAN);
    }

    /** L(θ, φ): cross-entropy plus β times the φ-weighted feature matching loss. */
    Variable loss(List<Variable> theta, List<Variable> phi) {
        Variable[] out = features(theta);
        Variable pooled = teacher.globalAvgPool();                  // (2, 4)
        Variable weights = pooled.linear(phi.get(0), phi.get(1)).softmax(1);   // (2, 4)
        Variable matching = out[0].weightedFeatureDistance(teacher, weights).mean();
        return out[1].crossEntropy(labels, Reduction.MEAN).add(matching.mul(BETA));
    }

    /** L at the current θ and φ. */
    Variable loss() {
        return loss(theta(), phi());
    }

    /**
     * Which linear piece the latest forward ran on: the sign of each ReLU input, whether each
     * ReLU6 input lies in (0, 6), and the winner of each max-pooling window.
     */
    String kinkSignature() {
        StringBuilder sb = new StringBuilder();
        for (float v : kinkInputs.get(0).toArray()) sb.append(v > 0 ? '+' : '-');
        sb.append('|');
        for (float v : kinkInputs.get(2).toArray()) sb.append(v <= 0 ? '0' : v < 6 ? '1' : '6');
        if (maxPool) {
            sb.append('|');
            float[] r = kinkInputs.get(1).toArray();                // (2, 3, 6, 6): 2×2 windows
            for (int plane = 0; plane < 6; plane++) {
                for (int oy = 0; oy < 3; oy++) {
                    for (int ox = 0; ox < 3; ox++) {
                        sb.append(windowArgmax(r, plane * 36 + oy * 12 + ox * 2));
                    }
                }
            }
        }
        return sb.toString();
    }

    /** How close the latest forward came to a kink (reported when a probe crosses one). */
    String kinkMargins() {
        double relu = Double.MAX_VALUE;
        for (float v : kinkInputs.get(0).toArray()) relu = Math.min(relu, Math.abs(v));
        double relu6 = Double.MAX_VALUE;
        for (float v : kinkInputs.get(2).toArray()) {
            relu6 = Math.min(relu6, Math.min(Math.abs(v), Math.abs(v - 6)));
        }
        return String.format("min |relu input| %.3g, min distance of a relu6 input to 0 or 6 %.3g",
                relu, relu6);
    }

    private static int windowArgmax(float[] r, int topLeft) {
        int[] offsets = {0, 1, 6, 7};
        int best = 0;
        for (int k = 1; k < 4; k++) {
            if (r[topLeft + offsets[k]] > r[topLeft + offsets[best]]) best = k;
        }
        return best;
    }
}
