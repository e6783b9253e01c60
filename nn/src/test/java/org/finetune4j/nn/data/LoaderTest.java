package org.finetune4j.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Epoch coverage, seeded order, prefetch equivalence and clean shutdown of the prefetch thread. */
class LoaderTest {
    private static final Dataset DATA = SyntheticDatasets.indexed(103, 4, 1, 6, 6);

    private static List<Batch> epoch(Iterable<Batch> batches) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : batches) out.add(b);
        return out;
    }

    private static int[] ids(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> IntStream.of(SyntheticDatasets.ids(b.images())))
                .toArray();
    }

    @Test
    void coversEverySampleExactlyOncePerEpoch() {
        Loader loader = Loader.builder(DATA, 10).shuffle(true).seed(1).build();
        for (int e = 0; e < 3; e++) {
            List<Batch> batches = epoch(loader);
            assertEquals(11, batches.size());
            assertEquals(3, batches.get(10).size(), "last batch holds the remainder");
            int[] ids = ids(batches);
            for (Batch b : batches) {
                int[] bi = SyntheticDatasets.ids(b.images());
                for (int j = 0; j < b.size(); j++) {
                    assertEquals(bi[j] % 4, b.labels()[j], "label of image " + bi[j]);
                }
            }
            int[] sorted = IntStream.of(ids).sorted().toArray();
            assertArrayEquals(IntStream.range(0, 103).toArray(), sorted, "epoch " + e);
        }
    }

    @Test
    void dropLastKeepsOnlyFullBatchesAndNoShuffleKeepsOrder() {
        Loader loader = Loader.builder(DATA, 10).dropLast(true).build();
        List<Batch> batches = epoch(loader);
        assertEquals(10, loader.batchesPerEpoch());
        assertEquals(10, batches.size());
        assertArrayEquals(IntStream.range(0, 100).toArray(), ids(batches));
    }

    @Test
    void theSameSeedGivesTheSameOrderAndEpochsDiffer() {
        Loader a = Loader.builder(DATA, 8).shuffle(true).seed(9).build();
        Loader b = Loader.builder(DATA, 8).shuffle(true).seed(9).build();
        int[] a0 = ids(epoch(a));
        int[] a1 = ids(epoch(a));
        assertArrayEquals(a0, ids(epoch(b)));
        assertArrayEquals(a1, ids(epoch(b)));
        assertFalse(Arrays.equals(a0, a1), "each epoch reshuffles");
        assertArrayEquals(a1, ids(epoch(a.epoch(1))), "epoch(1) replays the second epoch");
        Loader other = Loader.builder(DATA, 8).shuffle(true).seed(10).build();
        assertFalse(Arrays.equals(a0, ids(epoch(other))), "another seed, another order");
    }

    @Test
    void prefetchGivesTheSameBatchesAsBuildingOnDemand() {
        Augment augment = new Augment(2, true);
        Normalize norm = new Normalize(new float[] {50f}, new float[] {30f});
        Loader plain = Loader.builder(DATA, 16).shuffle(true).seed(3).augment(augment)
                .normalize(norm).build();
        for (int depth : new int[] {1, 3}) {
            try (Loader fetched = Loader.builder(DATA, 16).shuffle(true).seed(3).augment(augment)
                    .normalize(norm).prefetch(depth).build()) {
                for (int e = 0; e < 2; e++) {
                    List<Batch> want = epoch(plain.epoch(e));
                    List<Batch> got = epoch(fetched);
                    assertEquals(want.size(), got.size());
                    for (int b = 0; b < want.size(); b++) {
                        assertArrayEquals(want.get(b).labels(), got.get(b).labels(), "batch " + b);
                        assertArrayEquals(want.get(b).images().data(), got.get(b).images().data(),
                                "images of batch " + b + ", epoch " + e + ", depth " + depth);
                    }
                }
            }
        }
    }

    @Test
    void augmentationKeepsShapesAndIsSeeded() {
        Loader a = Loader.builder(DATA, 16).augment(new Augment(3, true)).seed(4).build();
        Loader b = Loader.builder(DATA, 16).augment(new Augment(3, true)).seed(4).build();
        List<Batch> x = epoch(a);
        List<Batch> y = epoch(b);
        assertArrayEquals(new int[] {16, 1, 6, 6}, x.get(0).images().dims());
        assertArrayEquals(new int[] {7, 1, 6, 6}, x.get(6).images().dims());
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(x.get(i).images().data(), y.get(i).images().data(), "batch " + i);
        }
        float[] raw = epoch(Loader.builder(DATA, 16).build()).get(0).images().data();
        assertFalse(Arrays.equals(raw, x.get(0).images().data()), "padding 3 blanks some pixels");
        assertEquals(1f, DATA.images().data()[36], "the dataset itself is never augmented");
    }

    @Test
    void startingAnotherEpochOrClosingStopsThePrefetchThread() throws InterruptedException {
        Loader loader = Loader.builder(DATA, 4).prefetch(2).build();
        Iterator<Batch> first = loader.iterator();
        first.next();                                          // then abandon it
        Iterator<Batch> second = loader.iterator();
        assertThrows(IllegalStateException.class, () -> {
            while (first.hasNext()) first.next();
        }, "the abandoned epoch says it was stopped instead of hanging");
        second.next();
        loader.close();
        assertEquals(0, prefetchThreads(), "no prefetch thread survives close()");
        assertThrows(IllegalStateException.class, loader::iterator);
    }

    @Test
    void aFailureWhilePrefetchingReachesTheConsumer() {
        Normalize threeChannels = new Normalize(new float[3], new float[] {1, 1, 1});
        try (Loader loader = Loader.builder(DATA, 4).normalize(threeChannels).prefetch(2).build()) {
            Iterator<Batch> it = loader.iterator();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(e.getMessage().contains("batch 0 of epoch 0"), e.getMessage());
        }
    }

    private static long prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("finetune4j-loader-prefetch") && t.isAlive())
                .count();
    }
}
