package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.finetune4j.nn.data.FashionMnist.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locating Fashion-MNIST, Debian's copy when installed, and the embedded subset. */
class FashionMnistTest {
    private static final boolean DEBIAN = Files.isRegularFile(
            FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"));
    private static final String NO_DEBIAN = "Debian package dataset-fashion-mnist not installed"
            + " (no " + FashionMnist.DEBIAN_DIR + "): real-data checks skipped";

    @TempDir
    Path dir;

    /** A tiny stand-in for the real files: 3 images of 2×2, raw (not gzip) IDX. */
    private Path fakeFashionMnist(Path where) throws IOException {
        Files.createDirectories(where);
        byte[] labels = {0, 5, 9};
        byte[] pixels = new byte[12];
        Idx.write(where.resolve("train-images-idx3-ubyte"), new int[] {3, 2, 2}, pixels, false);
        Idx.write(where.resolve("train-labels-idx1-ubyte"), new int[] {3}, labels, false);
        return where;
    }

    @Test
    void loadsDebiansFilesWithTheDocumentedSizesAndClasses() throws IOException {
        assumeTrue(DEBIAN, NO_DEBIAN);
        Dataset train = FashionMnist.load(FashionMnist.DEBIAN_DIR, Split.TRAIN);
        Dataset test = FashionMnist.load(FashionMnist.DEBIAN_DIR, Split.TEST);
        assertArrayEquals(new int[] {60000, 1, 28, 28}, train.images().dims());
        assertArrayEquals(new int[] {10000, 1, 28, 28}, test.images().dims());
        int[] each = new int[10];
        Arrays.fill(each, 6000);
        assertArrayEquals(each, train.classCounts());
        Arrays.fill(each, 1000);
        assertArrayEquals(each, test.classCounts());
        assertEquals("Ankle boot", train.classes().get(9));
        Normalize fitted = Normalize.fit(train);                // the documented constants
        assertEquals(0.2860f, fitted.mean()[0], 5e-5f, "Fashion-MNIST train mean");
        assertEquals(0.3530f, fitted.std()[0], 5e-5f, "Fashion-MNIST train std");
    }

    @Test
    void embeddedSubsetIsClassBalanced() {
        Dataset train = FashionMnist.embedded(Split.TRAIN);
        Dataset test = FashionMnist.embedded(Split.TEST);
        assertArrayEquals(new int[] {5000, 1, 28, 28}, train.images().dims());
        assertArrayEquals(new int[] {2000, 1, 28, 28}, test.images().dims());
        for (int k = 0; k < 10; k++) {
            assertEquals(500, train.classCounts()[k], "train images of class " + k);
            assertEquals(200, test.classCounts()[k], "test images of class " + k);
        }
        float max = 0;
        for (float v : train.images().data()) max = Math.max(max, v);
        assertEquals(1f, max, "pixels are scaled to [0, 1] and some are white");
    }

    @Test
    void embeddedSubsetIsTheFirstImagesOfEachClassInDebiansTestFile() throws IOException {
        assumeTrue(DEBIAN, NO_DEBIAN);
        Dataset full = FashionMnist.load(FashionMnist.DEBIAN_DIR, Split.TEST);
        Dataset mini = FashionMnist.embedded(Split.TEST);
        int[] taken = new int[10];
        int[] expected = new int[mini.size()];
        int m = 0;
        for (int i = 0; i < full.size() && m < expected.length; i++) {
            if (taken[full.label(i)]++ < 200) expected[m++] = i;
        }
        Dataset selected = full.subset(expected);
        assertArrayEquals(selected.labels(), mini.labels());
        assertArrayEquals(selected.images().data(), mini.images().data());
    }

    @Test
    void locatePrefersTheExplicitPathThenTheEnvironmentThenDebian() throws IOException {
        Path explicit = fakeFashionMnist(dir.resolve("explicit"));
        Path env = fakeFashionMnist(dir.resolve("env"));
        Path debian = fakeFashionMnist(dir.resolve("debian"));
        assertEquals(explicit, FashionMnist.locate(explicit, env.toString(), debian, Split.TRAIN));
        assertEquals(env, FashionMnist.locate(null, env.toString(), debian, Split.TRAIN));
        assertEquals(debian, FashionMnist.locate(null, null, debian, Split.TRAIN));
        String typo = dir.resolve("typo").toString();
        assertEquals(debian, FashionMnist.locate(null, typo, debian, Split.TRAIN));
        Dataset d = FashionMnist.load(explicit, Split.TRAIN);
        assertArrayEquals(new int[] {0, 5, 9}, d.labels());
    }

    @Test
    void locateListsEveryPlaceTriedWhenNothingIsFound() {
        Path nowhere = dir.resolve("nowhere");
        IOException e = assertThrows(IOException.class,
                () -> FashionMnist.locate(null, dir.toString(), nowhere, Split.TEST));
        String msg = e.getMessage();
        assertTrue(msg.contains("$FASHION_MNIST_DIR=" + dir), msg);
        assertTrue(msg.contains("missing t10k-images-idx3-ubyte"), msg);
        assertTrue(msg.contains("Debian's " + nowhere + " (no such directory)"), msg);
        assertTrue(msg.contains("dataset-fashion-mnist") && msg.contains("embedded()"), msg);
        IOException unset = assertThrows(IOException.class,
                () -> FashionMnist.locate(null, null, nowhere, Split.TEST));
        assertTrue(unset.getMessage().contains("$FASHION_MNIST_DIR (not set)"), unset.getMessage());
    }

    @Test
    void anExplicitPathIsNeverSilentlyReplaced() throws IOException {
        Path debian = fakeFashionMnist(dir.resolve("debian"));
        IOException e = assertThrows(IOException.class,
                () -> FashionMnist.locate(dir.resolve("mine"), null, debian, Split.TRAIN));
        assertTrue(e.getMessage().contains("explicit path " + dir.resolve("mine")), e.getMessage());
    }
}
