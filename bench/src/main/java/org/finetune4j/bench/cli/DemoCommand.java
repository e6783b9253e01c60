package org.finetune4j.bench.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.finetune4j.methods.LossTerms;
import org.finetune4j.nn.data.Dataset;
import org.finetune4j.nn.resnet.ResNet;
import org.finetune4j.tensor.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j demo}: needs no arguments and no installed data. Loads the shipped
 * pre-trained checkpoint and the embedded Fashion-MNIST subset, fine-tunes six methods on the
 * target classes at 10 images per class (seed 0) and prints an aligned table of method, target
 * test accuracy, wall time and the last step's loss terms. Exit 2 for a bad argument.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Compare scratch, fine-tuning, linear probe, L2-SP, DELTA and FitNets(B)"
                + " on the target classes (Fashion-MNIST 5-9) at a small budget, using the"
                + " shipped checkpoint and the embedded data; prints a table."})
public final class DemoCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("scratch", "finetune", "linear-probe", "l2sp",
            "delta", "fitnets");
    static final int DEFAULT_EPOCHS = 50;         // about 55 s in all on 2 cores
    static final int VALIDATION_PER_CLASS = 100;  // held out, as in compare; unused by the table

    @Option(names = "--epochs", description = "training epochs of every method"
            + " (default: ${DEFAULT-VALUE})")
    int epochs = DEFAULT_EPOCHS;

    @Option(names = "--budget", paramLabel = "N", description = "labelled images per target"
            + " class (default: ${DEFAULT-VALUE})")
    int budget = 10;

    @Option(names = "--batch-size", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize = 16;

    @Override
    public Integer call() {
        if (epochs < 1) return fail("--epochs must be >= 1, got " + epochs);
        if (budget < 1) return fail("--budget must be >= 1, got " + budget);
        if (batchSize < 1) return fail("--batch-size must be >= 1, got " + batchSize);
        ResNet pretrained;
        TargetTask target;
        try {
            pretrained = FineTuning.loadPretrained(null);
            target = TargetTask.load(PretrainData.EMBEDDED, null, VALIDATION_PER_CLASS);
        } catch (IOException | IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        if (budget > target.smallestPoolClass()) {
            return fail("--budget " + budget + " exceeds the smallest target class ("
                    + target.smallestPoolClass() + " images)");
        }
        System.err.printf(Locale.ROOT, "demo: %d methods, %d images per class, %d epochs,"
                + " batch %d; backend %s%n", METHODS.size(), budget, epochs, batchSize,
                Backends.cpu().describe());
        long start = System.nanoTime();
        FineTuning.Settings s = new FineTuning.Settings(epochs, batchSize, 0, Map.of(), 1,
                FineTuning.LrDecay.NONE);
        List<FineTuning.Result> results = new ArrayList<>();
        Dataset train = target.shots(budget, 0);
        for (String m : METHODS) {
            FineTuning.Result r = FineTuning.run(m, pretrained, target, train, s);
            System.err.printf(Locale.ROOT, "demo: %s done (%.1f s)%n", m, r.seconds());
            results.add(r);
        }
        System.out.print(table(results));
        System.out.printf(Locale.ROOT, "target: Fashion-MNIST classes 5-9, %d training images,"
                        + " %d test images (embedded subset); total %.1f s%n",
                train.size(), target.test().size(), (System.nanoTime() - start) / 1e9);
        System.out.println("loss terms: those of the last training step (the epoch's last,"
                + " possibly partial batch); time includes building and evaluating");
        System.out.println("delta: channel attention from ChannelAttention.compute on 2 target"
                + " batches after a 1-epoch linear probe of the head");
        return 0;
    }

    private static int fail(String problem) {
        System.err.println("demo: " + problem);
        return 2;
    }

    /** Columns padded to their widest cell so the table reads in a terminal. */
    static String table(List<FineTuning.Result> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"method", "accuracy", "time", "loss terms"});
        for (FineTuning.Result r : results) {
            rows.add(new String[] {r.method(), String.format(Locale.ROOT, "%.2f%%",
                    100 * r.testAccuracy()), String.format(Locale.ROOT, "%.1f s", r.seconds()),
                terms(r.lastTerms())});
        }
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < 4; c++) width[c] = Math.max(width[c], row[c].length());
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            b.append(String.format(Locale.ROOT, "%-" + width[0] + "s | %" + width[1] + "s | %"
                    + width[2] + "s | %s%n", row[0], row[1], row[2], row[3]));
            if (i == 0) {
                b.append("-".repeat(width[0] + 1)).append('|').append("-".repeat(width[1] + 2))
                        .append('|').append("-".repeat(width[2] + 2)).append('|')
                        .append("-".repeat(width[3] + 1)).append('\n');
            }
        }
        return b.toString();
    }

    private static String terms(LossTerms t) {
        if (t == null) return "-";
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Float> e : t.asMap().entrySet()) {
            if (b.length() > 0) b.append(' ');
            b.append(String.format(Locale.ROOT, "%s=%.4g", e.getKey(), e.getValue()));
        }
        return b.toString();
    }
}
