package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j finetune}: one method, one target budget, one seed. Loads the pre-trained
 * resnet-mini, fine-tunes it on k labelled images per target class and prints the validation and
 * test accuracy; --out DIR also writes DIR/manifest.json and DIR/curve.csv (the compare command's
 * run format). Exit codes: 0 done, 1 I/O failed, 2 bad arguments: one line on stderr, before any
 * training (data and checkpoint are loaded during the check, so an unreadable file is also an
 * argument error).
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune the pre-trained network on the target classes (Fashion-MNIST"
                + " 5-9, or your own image folder) with one transfer-learning method and print"
                + " the validation and test accuracy.")
public final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--method", description = "one of " + "scratch, finetune, linear-probe,"
            + " freeze-k, l2, l2sp, delta, fitnets (default: ${DEFAULT-VALUE})")
    String method = "finetune";

    @Option(names = "--budget", paramLabel = "N", description = "labelled training images per"
            + " target class (default: ${DEFAULT-VALUE})")
    int budget = 10;

    @Option(names = "--seed", description = "seed of the k-shot draw, head, data order"
            + " (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = 10;

    @Option(names = "--batch-size", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize = 16;

    @Option(names = "--lr-decay", paramLabel = "none|step", description = "learning-rate"
            + " schedule: none (constant) or step (x0.1 for the last third of the epochs, as the"
            + " L2-SP and DELTA papers) (default: ${DEFAULT-VALUE})")
    String lrDecay = "none";

    @Option(names = "--alpha", description = "l2, l2sp, delta: weight of the backbone term"
            + " (default 0.01)")
    Double alpha;

    @Option(names = "--beta", description = "l2, l2sp, delta: weight of the head L2 term"
            + " (default 0.01)")
    Double beta;

    @Option(names = "--hint-fraction", description = "fitnets: share of the epochs spent on"
            + " hint training (default 0.25)")
    Double hintFraction;

    @Option(names = "--freeze-stages", paramLabel = "K", description = "freeze-k: stages frozen"
            + " besides the stem (default 2)")
    Integer freezeK;

    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--out", paramLabel = "DIR", description = "also write DIR/"
            + RunRecord.MANIFEST + " and DIR/" + RunRecord.CURVE)
    Path out;

    @Override
    public Integer call() {
        Map<String, Double> hyper = new TreeMap<>();
        String problem = checkArguments(hyper);
        if (problem != null) return fail(problem);
        TargetOptions.Loaded loaded;
        try {
            loaded = target.load(budget, "--budget");
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        TargetTask task = loaded.task();
        FineTuning.Settings s = new FineTuning.Settings(epochs, batchSize, seed, hyper, 1,
                FineTuning.LrDecay.parse(lrDecay));
        FineTuning.Result r = FineTuning.run(method, loaded.pretrained(), task,
                task.shots(budget, seed), s);
        System.out.printf(Locale.ROOT, "%s: test accuracy %.2f%% on %d images (validation"
                        + " %.2f%%) after %d epochs over %d images (%d per class); %.1f s;"
                        + " last step %s%n", method, 100 * r.testAccuracy(), r.testImages(),
                100 * r.valAccuracy(), epochs, r.trainImages(), budget, r.seconds(),
                r.lastTerms());
        if (out == null) return 0;
        try {
            RunRecord.write(out, r, budget, s, new RunRecord.Protocol(loaded.checkpointId(),
                    task.source(), Integer.toString(epochs), batchSize, target.valPerClass, 1,
                    FineTuning.LrDecay.parse(lrDecay).describe()),
                    task);
        } catch (IOException e) {
            System.err.println("finetune: " + e.getMessage());
            return 1;
        }
        System.out.println("wrote " + out.resolve(RunRecord.MANIFEST));
        return 0;
    }

    private static int fail(String problem) {
        System.err.println("finetune: " + problem);
        return 2;
    }

    /** One line describing the first bad argument that needs no file, or null; fills hyper. */
    private String checkArguments(Map<String, Double> hyper) {
        if (!FineTuning.METHODS.contains(method)) {
            return "unknown --method '" + method + "' (choose one of "
                    + String.join(", ", FineTuning.METHODS) + ")";
        }
        if (budget < 1) return "--budget must be >= 1, got " + budget;
        if (epochs < 1) return "--epochs must be >= 1, got " + epochs;
        if (batchSize < 1) return "--batch-size must be >= 1, got " + batchSize;
        String decay = FineTuning.LrDecay.problem(lrDecay);
        if (decay != null) return decay;
        String[][] names = {{"--alpha", "alpha"}, {"--beta", "beta"},
            {"--hint-fraction", "hint_fraction"}, {"--freeze-stages", "k"}};
        Double[] values = {alpha, beta, hintFraction, freezeK == null ? null
            : freezeK.doubleValue()};
        for (int i = 0; i < names.length; i++) {
            if (values[i] == null) continue;
            if (!HyperParameters.defaults(method).containsKey(names[i][1])) {
                return names[i][0] + " does not apply to --method " + method;
            }
            String bad = HyperParameters.check(method, names[i][1], values[i]);
            if (bad != null) return names[i][0] + ": " + bad;
            hyper.put(names[i][1], values[i]);
        }
        return target.check();
    }
}
