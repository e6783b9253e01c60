package org.finetune4j.nn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.finetune4j.tensor.Rng;

/**
 * The splits of a transfer experiment, all stratified by class and all returning copies with
 * indices in ascending original order (so a split never depends on how it is iterated):
 * <ul>
 *   <li>{@link #classSubset}: keep some classes and renumber them 0..k−1. The standard setting
 *       pre-trains on Fashion-MNIST classes 0-4 ({@link #source}) and transfers to classes
 *       5-9 ({@link #target}).</li>
 *   <li>{@link #kShot}: k random images per class (the few-shot target set).</li>
 *   <li>{@link #holdOut}, {@link #holdOutPerClass}: a validation split taken from the training
 *       set (a share, or a fixed count, of every class).</li>
 * </ul>
 * The same seed gives the same split.
 */
public final class Splits {
    private Splits() {}

    /** Fashion-MNIST's source task: classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat). */
    public static Dataset source(Dataset fashionMnist) {
        return classSubset(fashionMnist, 0, 1, 2, 3, 4);
    }

    /** Fashion-MNIST's target task: classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) → 0-4. */
    public static Dataset target(Dataset fashionMnist) {
        return classSubset(fashionMnist, 5, 6, 7, 8, 9);
    }

    /** A train / validation pair from {@link #holdOut}. */
    public record TrainVal(Dataset train, Dataset validation) {}

    /**
     * The images whose label is one of {@code classes}; class classes[j] becomes label j and keeps
     * its name. E.g. classSubset(d, 5, 6, 7, 8, 9) maps 5..9 to 0..4.
     */
    public static Dataset classSubset(Dataset data, int... classes) {
        int[] newLabel = new int[data.numClasses()];
        Arrays.fill(newLabel, -1);
        List<String> names = new ArrayList<>();
        for (int j = 0; j < classes.length; j++) {
            int k = classes[j];
            if (k < 0 || k >= data.numClasses()) {
                throw new IllegalArgumentException("class " + k + " is outside 0.."
                        + (data.numClasses() - 1));
            }
            if (newLabel[k] >= 0) {
                throw new IllegalArgumentException("class " + k + " listed twice");
            }
            newLabel[k] = j;
            names.add(data.classes().get(k));
        }
        int[] keep = new int[data.size()];
        int m = 0;
        for (int i = 0; i < data.size(); i++) {
            if (newLabel[data.label(i)] >= 0) keep[m++] = i;
        }
        int[] remapped = new int[data.size()];      // by original position; read only where kept
        for (int i = 0; i < data.size(); i++) remapped[i] = newLabel[data.label(i)];
        return data.select(Arrays.copyOf(keep, m), remapped, names);
    }

    /** k images of every class, drawn without replacement with {@code seed}. */
    public static Dataset kShot(Dataset data, int k, long seed) {
        if (k <= 0) throw new IllegalArgumentException("k-shot needs k > 0, got " + k);
        int[][] byClass = data.indicesByClass();
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length < k) {
                throw new IllegalArgumentException(k + "-shot: class " + c
                        + " ('" + data.classes().get(c) + "') has only " + byClass[c].length
                        + " images");
            }
        }
        Rng rng = Rng.seeded(seed);
        int[] chosen = new int[k * byClass.length];
        int m = 0;
        for (int[] members : byClass) {                                // class order: fixed draws
            int[] perm = rng.permutation(members.length);
            for (int j = 0; j < k; j++) chosen[m++] = members[perm[j]];
        }
        Arrays.sort(chosen);
        return data.subset(chosen);
    }

    /**
     * Moves round(fraction · count) images of every class, drawn with {@code seed}, into a
     * validation set; the rest stay in train. The two are disjoint and together are {@code data}.
     */
    public static TrainVal holdOut(Dataset data, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got "
                    + fraction);
        }
        return split(data, members -> (int) Math.round(fraction * members), seed);
    }

    /**
     * Moves exactly {@code perClass} images of every class, drawn with {@code seed}, into a
     * validation set (the fixed-size validation split of a few-shot protocol); every class must
     * keep at least one training image.
     */
    public static TrainVal holdOutPerClass(Dataset data, int perClass, long seed) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("validation images per class must be > 0, got "
                    + perClass);
        }
        int[] counts = data.classCounts();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] <= perClass) {
                throw new IllegalArgumentException("cannot hold out " + perClass
                        + " validation images of class " + c + " ('" + data.classes().get(c)
                        + "'): it has only " + counts[c]);
            }
        }
        return split(data, members -> perClass, seed);
    }

    private static TrainVal split(Dataset data, IntUnaryOperator valCount, long seed) {
        Rng rng = Rng.seeded(seed);
        boolean[] isVal = new boolean[data.size()];
        int valTotal = 0;
        for (int[] members : data.indicesByClass()) {
            int take = valCount.applyAsInt(members.length);
            int[] perm = rng.permutation(members.length);
            for (int j = 0; j < take; j++) isVal[members[perm[j]]] = true;
            valTotal += take;
        }
        int[] train = new int[data.size() - valTotal];
        int[] val = new int[valTotal];
        int t = 0;
        int v = 0;
        for (int i = 0; i < data.size(); i++) {
            if (isVal[i]) {
                val[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new TrainVal(data.subset(train), data.subset(val));
    }
}
