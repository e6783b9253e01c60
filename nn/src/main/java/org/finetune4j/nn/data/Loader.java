package org.finetune4j.nn.data;

import java.io.Closeable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;

/**
 * Mini-batches over a {@link Dataset}: each {@link #iterator()} is the next epoch. A batch copies
 * its images, then augments them, then normalises them (torchvision's order).
 *
 * <p>Determinism: epoch e is a pure function of (seed, e). Its generator is seeded with the e-th
 * draw of Rng.seeded(seed); it draws the permutation (when shuffling) and then one seed per batch,
 * and batch b augments with Rng.seeded(that seed). So batches are identical with or without
 * prefetch, and whatever thread builds them.
 *
 * <p>Prefetch (depth > 0) builds batches ahead on one daemon thread into a bounded queue. At most
 * one epoch prefetches at a time: starting another epoch, or {@link #close()}, stops the previous
 * one. Use one loader from one consumer thread.
 *
 * <p>Device: batches arrive on the loader's device (Builder.device, default
 * Backends.defaultDevice()), the model's. They are built on the host and copied over on the
 * consumer's thread as each is handed out, so no device work runs on the prefetch thread (a CUDA
 * context is per thread). Labels stay int[] on the host, as the losses take them.
 */
public final class Loader implements Iterable<Batch>, Closeable {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Augment augment;
    private final Normalize normalize;         // null: leave values as they are
    private final int prefetch;                // batches built ahead; 0: build on demand
    private final Device device;               // where handed-out batches live
    private int nextEpoch;
    private Thread worker;                     // the one prefetching thread, or null
    private boolean closed;

    private Loader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.augment = b.augment;
        this.normalize = b.normalize;
        this.prefetch = b.prefetch;
        this.device = b.device;
    }

    public static Builder builder(Dataset data, int batchSize) {
        return new Builder(data, batchSize);
    }

    public Dataset dataset() {
        return data;
    }

    public Device device() {
        return device;
    }

    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The next epoch (0, 1, 2, … in call order). */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(nextEpoch++).iterator();
    }

    /** Epoch e on its own, e.g. to resume a run; iterator() still gives the next epoch after. */
    public Iterable<Batch> epoch(int e) {
        if (e < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + e);
        return () -> start(e);
    }

    private Iterator<Batch> start(int e) {
        if (closed) throw new IllegalStateException("loader is closed");
        Rng rng = Rng.seeded(epochSeed(e));
        int[] order = shuffle ? rng.permutation(data.size()) : identity(data.size());
        long[] batchSeeds = new long[batchesPerEpoch()];
        for (int b = 0; b < batchSeeds.length; b++) batchSeeds[b] = rng.nextLong();
        if (prefetch == 0) return new OnDemand(order, batchSeeds);
        stopWorker();
        Prefetched it = new Prefetched(order, batchSeeds, e);
        worker = it.thread;
        worker.start();
        return it;
    }

    private long epochSeed(int e) {
        Rng stream = Rng.seeded(seed);
        long s = stream.nextLong();
        for (int i = 0; i < e; i++) s = stream.nextLong();
        return s;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    /** Batch b of an epoch: the images at order[b·B ..], copied, augmented, normalised. */
    private Batch makeBatch(int[] order, int b, long batchSeed) {
        int start = b * batchSize;
        int m = Math.min(batchSize, order.length - start);
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int sample = c * h * w;
        float[] src = data.images().data();                            // (n, c, h, w)
        float[] x = new float[m * sample];                             // (m, c, h, w)
        int[] y = new int[m];
        for (int j = 0; j < m; j++) {
            int i = order[start + j];
            System.arraycopy(src, i * sample, x, j * sample, sample);
            y[j] = data.label(i);
        }
        augment.applyInPlace(x, m, c, h, w, Rng.seeded(batchSeed));
        if (normalize != null) normalize.applyInPlace(x, m, c, h * w);
        return new Batch(Tensor.wrap(x, m, c, h, w), y);
    }

    /** A host-built batch on the loader's device (called on the consumer's thread). */
    private Batch onDevice(Batch host) {
        Tensor images = host.images();
        return images.device().equals(device) ? host : new Batch(images.to(device), host.labels());
    }

    /** Stops the prefetching thread, if any; the loader cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        stopWorker();
    }

    private void stopWorker() {
        if (worker == null) return;
        worker.interrupt();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker = null;
    }

    private final class OnDemand implements Iterator<Batch> {
        private final int[] order;
        private final long[] batchSeeds;
        private int next;

        OnDemand(int[] order, long[] batchSeeds) {
            this.order = order;
            this.batchSeeds = batchSeeds;
        }

        @Override
        public boolean hasNext() {
            return next < batchSeeds.length;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch has " + batchSeeds.length + " batches");
            }
            Batch batch = makeBatch(order, next, batchSeeds[next]);
            next++;
            return onDevice(batch);
        }
    }

    /** A producer thread fills the queue in batch order; a failure travels through it in place. */
    private final class Prefetched implements Iterator<Batch> {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(prefetch);
        private final int count;
        private final int epoch;
        private final Thread thread;
        private int next;

        Prefetched(int[] order, long[] batchSeeds, int epoch) {
            this.count = batchSeeds.length;
            this.epoch = epoch;
            String name = "finetune4j-loader-prefetch-epoch-" + epoch;
            this.thread = new Thread(() -> produce(order, batchSeeds), name);
            thread.setDaemon(true);                // an abandoned epoch must not keep the JVM alive
        }

        private void produce(int[] order, long[] batchSeeds) {
            try {
                for (int b = 0; b < count; b++) {
                    Object item;
                    try {
                        item = makeBatch(order, b, batchSeeds[b]);
                    } catch (RuntimeException | Error failure) {
                        item = failure;
                    }
                    queue.put(item);
                    if (item instanceof Throwable) return;
                }
            } catch (InterruptedException stopped) {
                // close() or a newer epoch: nobody will read the rest
            }
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch has " + count + " batches");
            Object item = take();
            if (item instanceof Throwable failure) {
                throw new IllegalStateException("prefetch failed building batch " + next
                        + " of epoch " + epoch, failure);
            }
            next++;
            return onDevice((Batch) item);
        }

        private Object take() {
            try {
                while (true) {
                    Object item = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (item != null) return item;
                    if (!thread.isAlive() && queue.isEmpty()) {
                        throw new IllegalStateException("prefetch of epoch " + epoch
                                + " was stopped (a newer epoch started, or the loader was closed)"
                                + " before batch " + next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for batch " + next
                        + " of epoch " + epoch);
            }
        }
    }

    /** Options; everything but the dataset and batch size has a default (listed per method). */
    public static final class Builder {
        private final Dataset data;
        private final int batchSize;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Augment augment = Augment.NONE;
        private Normalize normalize;
        private int prefetch;
        private Device device = Backends.defaultDevice();

        private Builder(Dataset data, int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
            }
            this.data = data;
            this.batchSize = batchSize;
        }

        /** Reshuffle every epoch (default false: dataset order). */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** Seed of shuffling and augmentation (default 0). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Drop a last batch smaller than the batch size (default false). */
        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** Augmentation applied per batch (default none). */
        public Builder augment(Augment a) {
            this.augment = a;
            return this;
        }

        /** Normalisation applied after augmentation (default none). */
        public Builder normalize(Normalize n) {
            this.normalize = n;
            return this;
        }

        /** Batches built ahead on one background thread (default 0: none). */
        public Builder prefetch(int depth) {
            if (depth < 0) {
                throw new IllegalArgumentException("prefetch depth must be >= 0, got " + depth);
            }
            this.prefetch = depth;
            return this;
        }

        /** Device of the batches' images (default Backends.defaultDevice()): the model's. */
        public Builder device(Device d) {
            this.device = Objects.requireNonNull(d, "device");
            return this;
        }

        public Loader build() {
            return new Loader(this);
        }
    }
}
