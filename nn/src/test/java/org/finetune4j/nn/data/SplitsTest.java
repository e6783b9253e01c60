package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Class subsets, k-shot sampling and validation hold-out: stratified, seeded, disjoint. */
class SplitsTest {
    /** 10 classes named as Fashion-MNIST's; image i has label i mod 10 and pixels equal to i. */
    private static Dataset tenClasses(int n) {
        Dataset d = SyntheticDatasets.indexed(n, 10, 1, 2, 2);
        return new Dataset(d.images(), d.labels(), FashionMnist.CLASSES);
    }

    @Test
    void targetTaskRemapsClassesFiveToNineOntoZeroToFour() {
        Dataset target = Splits.target(tenClasses(100));
        assertEquals(50, target.size());
        assertEquals(List.of("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), target.classes());
        int[] ids = SyntheticDatasets.ids(target);
        for (int j = 0; j < target.size(); j++) {
            assertEquals(ids[j] % 10 - 5, target.label(j), "image " + ids[j] + " at position " + j);
        }
        Dataset source = Splits.source(tenClasses(100));
        List<String> sourceNames = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat");
        assertEquals(sourceNames, source.classes());
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, source.classCounts());
    }

    @Test
    void classSubsetNumbersClassesInTheOrderGiven() {
        Dataset d = Splits.classSubset(tenClasses(40), 7, 2);
        assertEquals(List.of("Sneaker", "Pullover"), d.classes());
        int[] ids = SyntheticDatasets.ids(d);
        assertArrayEquals(new int[] {2, 7, 12, 17, 22, 27, 32, 37}, ids, "original order kept");
        assertArrayEquals(new int[] {1, 0, 1, 0, 1, 0, 1, 0}, d.labels());
        Dataset forty = tenClasses(40);
        assertThrows(IllegalArgumentException.class, () -> Splits.classSubset(forty, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> Splits.classSubset(forty, 10));
    }

    @Test
    void kShotTakesExactlyKPerClassAndTheSameSeedGivesTheSameSplit() {
        Dataset d = tenClasses(1000);
        Dataset a = Splits.kShot(d, 7, 42);
        Dataset b = Splits.kShot(d, 7, 42);
        Dataset other = Splits.kShot(d, 7, 43);
        int[] seven = new int[10];
        Arrays.fill(seven, 7);
        assertArrayEquals(seven, a.classCounts());
        assertArrayEquals(SyntheticDatasets.ids(a), SyntheticDatasets.ids(b));
        int[] otherIds = SyntheticDatasets.ids(other);
        assertFalse(Arrays.equals(SyntheticDatasets.ids(a), otherIds), "another seed");
        int[] ids = SyntheticDatasets.ids(a);
        assertEquals(70, IntStream.of(ids).distinct().count(), "drawn without replacement");
        for (int j = 0; j < ids.length; j++) {
            assertEquals(ids[j] % 10, a.label(j), "label travels with image " + ids[j]);
        }
    }

    @Test
    void kShotRefusesAClassWithTooFewImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.kShot(tenClasses(25), 3, 0));
        assertTrue(e.getMessage().contains("class 5 ('Sandal') has only 2 images"), e.getMessage());
    }

    @Test
    void holdOutIsStratifiedDisjointCompleteAndSeeded() {
        Dataset d = tenClasses(1000);
        Splits.TrainVal split = Splits.holdOut(d, 0.2, 5);
        int[] train = SyntheticDatasets.ids(split.train());
        int[] val = SyntheticDatasets.ids(split.validation());
        int[] twenty = new int[10];
        Arrays.fill(twenty, 20);
        assertArrayEquals(twenty, split.validation().classCounts());
        assertEquals(800, train.length);
        int[] all = IntStream.concat(IntStream.of(train), IntStream.of(val)).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), all, "disjoint, and all of d");
        Splits.TrainVal again = Splits.holdOut(d, 0.2, 5);
        assertArrayEquals(val, SyntheticDatasets.ids(again.validation()));
        Dataset otherVal = Splits.holdOut(d, 0.2, 6).validation();
        assertFalse(Arrays.equals(val, SyntheticDatasets.ids(otherVal)), "another seed");
        assertThrows(IllegalArgumentException.class, () -> Splits.holdOut(d, 1.0, 5));
    }

    @Test
    void holdOutPerClassTakesExactlyThatManyOfEveryClassAndKeepsTheRest() {
        Dataset d = tenClasses(1000);
        Splits.TrainVal split = Splits.holdOutPerClass(d, 7, 3);
        int[] seven = new int[10];
        Arrays.fill(seven, 7);
        assertArrayEquals(seven, split.validation().classCounts());
        int[] all = IntStream.concat(IntStream.of(SyntheticDatasets.ids(split.train())),
                IntStream.of(SyntheticDatasets.ids(split.validation()))).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), all, "disjoint, and all of d");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.holdOutPerClass(d, 100, 3));
        assertTrue(e.getMessage().contains("it has only 100"), e.getMessage());
    }
}
