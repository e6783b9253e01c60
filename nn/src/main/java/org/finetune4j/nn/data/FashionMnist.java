package org.finetune4j.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; Zalando Research, MIT licence): 28×28 grayscale
 * images of 10 clothing classes, 60,000 for training and 10,000 for testing, as (n, 1, 28, 28)
 * floats in [0, 1].
 *
 * <p>The files are found at, in order: an explicit directory, the directory named by the
 * environment variable FASHION_MNIST_DIR, or Debian's /usr/share/datasets/fashion-mnist (package
 * dataset-fashion-mnist). {@link #embedded} needs no files: a class-balanced subset ships as a
 * resource (its README states which images and the licence).
 */
public final class FashionMnist {
    public static final String ENV = "FASHION_MNIST_DIR";
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final String EMBEDDED = "fashion-mnist-mini/";   // next to this class
    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);

    /** File-name stems as the original distribution names them; each may end in .gz or not. */
    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        private final String stem;

        Split(String stem) {
            this.stem = stem;
        }

        String images() {
            return stem + "-images-idx3-ubyte";
        }

        String labels() {
            return stem + "-labels-idx1-ubyte";
        }
    }

    private FashionMnist() {}

    /** Loads a split from the first place that has it (see the class comment). */
    public static Dataset load(Split split) throws IOException {
        return load(locate(null, split), split);
    }

    /** Loads a split from {@code dir}, which holds the four IDX files (gzip or raw). */
    public static Dataset load(Path dir, Split split) throws IOException {
        Path images = find(dir, split.images());
        Path labels = find(dir, split.labels());
        if (images == null || labels == null) {
            throw new IOException("Fashion-MNIST " + split + " not found in " + dir + ": "
                    + missing(dir, split));
        }
        return Idx.dataset(Idx.read(images), Idx.read(labels), CLASSES);
    }

    /** The embedded subset: 500 images per class for TRAIN, 200 per class for TEST (its README). */
    public static Dataset embedded(Split split) {
        try {
            return Idx.dataset(resource(split.images()), resource(split.labels()), CLASSES);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Fashion-MNIST subset is unreadable", e);
        }
    }

    private static Idx.Data resource(String stem) throws IOException {
        String name = EMBEDDED + stem + ".gz";
        try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource org/finetune4j/nn/data/"
                        + name + " (the nn jar is incomplete)");
            }
            return Idx.read(name, in);
        }
    }

    /**
     * The directory holding {@code split}: {@code explicit} if given (and then only it), else
     * $FASHION_MNIST_DIR, else Debian's directory. The error lists every place tried and why it
     * did not qualify.
     */
    public static Path locate(Path explicit, Split split) throws IOException {
        return locate(explicit, System.getenv(ENV), DEBIAN_DIR, split);
    }

    static Path locate(Path explicit, String envValue, Path debianDir, Split split)
            throws IOException {
        if (explicit != null) {
            if (has(explicit, split)) return explicit;
            throw new IOException("Fashion-MNIST not found at the explicit path " + explicit + ": "
                    + missing(explicit, split));
        }
        List<String> tried = new ArrayList<>();
        if (envValue == null || envValue.isBlank()) {
            tried.add("$" + ENV + " (not set)");
        } else {
            Path dir = Path.of(envValue);
            if (has(dir, split)) return dir;
            tried.add("$" + ENV + "=" + dir + " (" + missing(dir, split) + ")");
            LOG.warn("Fashion-MNIST: ${}={} is unusable ({}); trying {}", ENV, dir,
                    missing(dir, split), debianDir);
        }
        if (has(debianDir, split)) return debianDir;
        tried.add("Debian's " + debianDir + " (" + missing(debianDir, split) + ")");
        throw new IOException("Fashion-MNIST " + split + " files not found; tried "
                + String.join("; ", tried) + ". Install the Debian package dataset-fashion-mnist,"
                + " set " + ENV + ", pass a directory, or use FashionMnist.embedded()");
    }

    private static boolean has(Path dir, Split split) {
        return find(dir, split.images()) != null && find(dir, split.labels()) != null;
    }

    /** dir/stem.gz, else dir/stem, else null. */
    private static Path find(Path dir, String stem) {
        for (Path p : List.of(dir.resolve(stem + ".gz"), dir.resolve(stem))) {
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static String missing(Path dir, Split split) {
        if (!Files.isDirectory(dir)) return "no such directory";
        List<String> absent = new ArrayList<>();
        for (String stem : List.of(split.images(), split.labels())) {
            if (find(dir, stem) == null) absent.add(stem + "[.gz]");
        }
        return "missing " + String.join(" and ", absent);
    }
}
