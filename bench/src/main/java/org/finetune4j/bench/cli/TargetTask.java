package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.data.FashionMnist;
import org.finetune4j.nn.data.ImageFolder;
import org.finetune4j.nn.data.Splits;

/**
 * The target task of {@code finetune} and {@code compare}: a labelled pool that k-shot training
 * sets are drawn from, a validation split held out of the training data once (the same for
 * every run and seed, so tuning never sees test images and every seed is scored on the same
 * validation images), and the test split. Sources: Fashion-MNIST classes 5-9 (embedded subset,
 * Debian's files, or an IDX directory) or an image folder DIR with DIR/train/CLASS/* and
 * DIR/test/CLASS/* (converted to 28x28 gray, like the source network's input).
 */
record TargetTask(Dataset pool, Dataset validation, Dataset test, String source) {
    static final long VALIDATION_SEED = 7919;           // fixed: one validation split for all runs
    static final int IMAGE_SIZE = 28;

    /** Loads and splits; an IOException or IllegalArgumentException says what is wrong. */
    static TargetTask load(String data, Path imageFolder, int valPerClass) throws IOException {
        Dataset train;
        Dataset test;
        String source;
        if (imageFolder != null) {
            Dataset[] tt = imageFolderSplits(imageFolder);
            train = tt[0];
            test = tt[1];
            source = "image folder " + imageFolder;
        } else {
            Path dir = PretrainData.check(data);
            train = Splits.target(dir == null ? FashionMnist.embedded(FashionMnist.Split.TRAIN)
                    : FashionMnist.load(dir, FashionMnist.Split.TRAIN));
            test = Splits.target(dir == null ? FashionMnist.embedded(FashionMnist.Split.TEST)
                    : FashionMnist.load(dir, FashionMnist.Split.TEST));
            source = (dir == null ? "embedded Fashion-MNIST subset" : "Fashion-MNIST in " + dir)
                    + ", classes 5-9";
        }
        Splits.TrainVal tv = Splits.holdOutPerClass(train, valPerClass, VALIDATION_SEED);
        return new TargetTask(tv.train(), tv.validation(), test, source);
    }

    /**
     * DIR/train and DIR/test as 28x28 gray datasets with the same classes; any unreadable image
     * stops the load with its path, since a silently shrunken target set would skew a comparison.
     */
    static Dataset[] imageFolderSplits(Path root) throws IOException {
        Path train = root.resolve("train");
        Path test = root.resolve("test");
        if (!Files.isDirectory(train) || !Files.isDirectory(test)) {
            throw new IOException("image folder " + root + " needs train/ and test/ sub-folders,"
                    + " each with one folder of images per class");
        }
        Dataset tr = ImageFolder.load(train, ImageFolder.Channels.GRAY, IMAGE_SIZE, IMAGE_SIZE,
                ImageFolder.OnError.FAIL).dataset();
        Dataset te = ImageFolder.load(test, ImageFolder.Channels.GRAY, IMAGE_SIZE, IMAGE_SIZE,
                ImageFolder.OnError.FAIL).dataset();
        if (!tr.classes().equals(te.classes())) {
            throw new IOException("image folder " + root + ": train/ has classes " + tr.classes()
                    + " but test/ has " + te.classes());
        }
        return new Dataset[] {tr, te};
    }

    int classes() {
        return pool.numClasses();
    }

    List<String> classNames() {
        return pool.classes();
    }

    /** The fewest pool images of any class: the largest budget a k-shot draw allows. */
    int smallestPoolClass() {
        int min = Integer.MAX_VALUE;
        for (int c : pool.classCounts()) min = Math.min(min, c);
        return min;
    }

    /** k labelled images per class, drawn with seed (the training set of one run). */
    Dataset shots(int budget, long seed) {
        return Splits.kShot(pool, budget, seed);
    }
}
