package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.FashionMnist;
import org.finetune4j.nn.data.Splits;

/**
 * The data of a pretrain run: the source task (Fashion-MNIST classes 0-4, or every class of an
 * image folder's train/) split into train and a stratified validation hold-out, and the same
 * classes of the test set.
 * {@code limit} (tests only) first keeps that many images per class of each split.
 */
record PretrainData(Dataset train, Dataset validation, Dataset test,
                    Map<String, Object> description) {
    static final String EMBEDDED = "embedded";
    static final String FASHION_MNIST = "fashion-mnist";

    /** The directory behind --data, or null for embedded; IOException says what is missing. */
    static Path check(String source) throws IOException {
        if (source.equals(EMBEDDED)) return null;
        Path dir = source.equals(FASHION_MNIST) ? null : Path.of(source);
        Path train = FashionMnist.locate(dir, FashionMnist.Split.TRAIN);
        FashionMnist.locate(train, FashionMnist.Split.TEST);
        return train;
    }

    /** imageFolder non-null: DIR/train and DIR/test (all their classes) instead of source. */
    static PretrainData load(String source, Path imageFolder, double valFraction, long seed,
                             int limit) throws IOException {
        Dataset source0to4;
        Dataset testSource;
        Path dir = null;
        if (imageFolder != null) {
            Dataset[] tt = TargetTask.imageFolderSplits(imageFolder);
            source0to4 = tt[0];
            testSource = tt[1];
        } else {
            dir = check(source);
            source0to4 = Splits.source(dir == null ? FashionMnist.embedded(FashionMnist.Split.TRAIN)
                    : FashionMnist.load(dir, FashionMnist.Split.TRAIN));
            testSource = Splits.source(dir == null ? FashionMnist.embedded(FashionMnist.Split.TEST)
                    : FashionMnist.load(dir, FashionMnist.Split.TEST));
        }
        if (limit > 0) {
            source0to4 = Splits.kShot(source0to4, Math.min(limit, minCount(source0to4)), seed);
            testSource = Splits.kShot(testSource, Math.min(limit, minCount(testSource)), seed);
        }
        Splits.TrainVal tv = Splits.holdOut(source0to4, valFraction, seed);
        Map<String, Object> d = new LinkedHashMap<>();
        if (imageFolder != null) {
            d.put("source", "image folder " + imageFolder + " (train/ and test/, 28x28 gray)");
            d.put("task", "source: every class folder of train/");
        } else {
            d.put("source", dir == null ? "embedded Fashion-MNIST subset (500 training and 200"
                    + " test images per class, bundled in the nn jar)" : "Fashion-MNIST files in "
                    + dir);
            d.put("task", "source: Fashion-MNIST classes 0-4 (Splits.source), labels 0-4");
        }
        d.put("classes", tv.train().classes());
        d.put("train", "training set minus the validation hold-out");
        d.put("validation", "Splits.holdOut(fraction " + valFraction + ", seed " + seed
                + "): that share of every class of the training set's classes 0-4");
        d.put("test", "test set of the same classes");
        if (limit > 0) d.put("limit_per_class", limit);
        d.put("train_images", tv.train().size());
        d.put("validation_images", tv.validation().size());
        d.put("test_images", testSource.size());
        Dataset validation = tv.validation().size() == 0 ? null : tv.validation();
        return new PretrainData(tv.train(), validation, testSource, d);
    }

    private static int minCount(Dataset d) {
        int min = Integer.MAX_VALUE;
        for (int c : d.classCounts()) min = Math.min(min, c);
        return min;
    }
}
