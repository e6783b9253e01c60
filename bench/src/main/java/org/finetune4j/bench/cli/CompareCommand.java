package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.finetune4j.nn.io.AtomicFile;
import org.finetune4j.nn.io.JsonText;
import org.finetune4j.tensor.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code finetune4j compare}: a grid of methods x labelled images per class x seeds on the target
 * task, hyper-parameters optionally tuned on the validation split, written under one folder:
 * results.md / results.csv (mean ± std over seeds), tuning.csv, plots/*.png, and one folder per
 * run with its manifest and curve. Rerunning the same command resumes the grid. Every argument
 * is checked, and the checkpoint and data loaded, before any training: a problem is one line on
 * stderr and exit code 2; 1 means an I/O failure while running.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare transfer-learning methods on the target task over labelled"
                + " budgets and seeds; writes tables, plots, per-run manifests and curves under"
                + " --out, and resumes an interrupted grid when rerun with the same settings."})
public final class CompareCommand implements Callable<Integer> {
    static final String PROTOCOL_FILE = "protocol.json";

    /** Epochs of a run: fixed, or (auto) enough for about STEPS steps, clamped to [MIN, MAX]. */
    record EpochRule(Integer fixed) {
        static final int STEPS = 1000;
        static final int MIN = 15;
        static final int MAX = 50;

        int epochs(int trainImages, int batchSize) {
            if (fixed != null) return fixed;
            int perEpoch = (trainImages + batchSize - 1) / batchSize;
            int e = (STEPS + perEpoch - 1) / perEpoch;
            return Math.max(MIN, Math.min(MAX, e));
        }

        String describe() {
            return fixed != null ? Integer.toString(fixed) : "auto: ceil(" + STEPS
                    + " / steps per epoch) clamped to [" + MIN + ", " + MAX + "]";
        }
    }

    @Option(names = "--methods", split = ",", paramLabel = "M", defaultValue = "scratch,"
            + "finetune,linear-probe,l2sp,delta,fitnets", description = "comma-separated, from"
            + " scratch, finetune, linear-probe, freeze-k, l2, l2sp, delta, fitnets"
            + " (default: ${DEFAULT-VALUE})")
    List<String> methods;

    @Option(names = "--budgets", split = ",", paramLabel = "N", defaultValue = "10,50,250",
            description = "labelled training images per class (default: ${DEFAULT-VALUE})")
    List<Integer> budgets;

    @Option(names = "--seeds", split = ",", paramLabel = "S", defaultValue = "0,1,2",
            description = "seeds of the k-shot draw, head, data order; the first one is also"
                    + " the tuning seed (default: ${DEFAULT-VALUE})")
    List<Long> seeds;

    @Option(names = "--tune", description = "choose each method's hyper-parameters per budget"
            + " on the validation split (grids: l2/l2sp/delta alpha 0.001,0.01,0.1,1 x beta"
            + " 0.01,0.1; fitnets hint_fraction 0.1,0.25,0.5; freeze-k k 1,2)")
    boolean tune;

    @Option(names = "--tune-grid", paramLabel = "METHOD.PARAM=V1,V2", description = "replace one"
            + " axis of a method's tuning grid (repeatable; implies --tune for that method)")
    List<String> tuneGrid = new ArrayList<>();

    @Option(names = "--epochs", description = "training epochs of every run (default: enough"
            + " for about 1000 steps, between 15 and 50)")
    Integer epochs;

    @Option(names = "--lr-decay", paramLabel = "none|step", description = "learning-rate"
            + " schedule of every run: none (constant) or step (x0.1 for the last third of the"
            + " epochs, as the L2-SP and DELTA papers) (default: ${DEFAULT-VALUE})")
    String lrDecay = "none";

    @Option(names = "--batch-size", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize = 16;

    @Option(names = "--eval-points", paramLabel = "N", description = "epochs per run scored on"
            + " the validation split for the curves, the last included (default:"
            + " ${DEFAULT-VALUE})")
    int evalPoints = 5;

    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default:"
            + " ${DEFAULT-VALUE})")
    Path out = Path.of("runs", "compare");

    @Override
    public Integer call() {
        String problem = checkArguments();
        if (problem != null) return fail(problem);
        Map<String, Map<String, List<Double>>> grids;
        try {
            grids = grids();
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        TargetOptions.Loaded loaded;
        try {
            loaded = target.load(budgets.stream().mapToInt(Integer::intValue).max()
                    .orElseThrow(), "--budgets");
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        TargetTask task = loaded.task();
        String checkpointId = loaded.checkpointId();
        EpochRule rule = new EpochRule(epochs);
        FineTuning.LrDecay decay = FineTuning.LrDecay.parse(lrDecay);
        RunRecord.Protocol protocol = new RunRecord.Protocol(checkpointId, task.source(),
                rule.describe(), batchSize, target.valPerClass, evalPoints, decay.describe());
        try {
            problem = claimOutput(protocol);
        } catch (IOException e) {
            return fail("--out " + out + ": " + e.getMessage());
        }
        if (problem != null) return fail(problem);

        CompareGrid grid = new CompareGrid(out, loaded.pretrained(), task, methods, budgets, seeds,
                grids,
                rule, batchSize, evalPoints, decay, protocol, System.err);
        System.err.printf(Locale.ROOT, "compare: %d runs (%d methods x %d budgets x %d seeds%s)"
                        + " on %s; backend %s; output %s%n", grid.totalRuns(), methods.size(),
                budgets.size(), seeds.size(), grids.isEmpty() ? "" : ", plus tuning",
                task.source(), Backends.cpu().describe(), out);
        long start = System.nanoTime();
        try {
            List<CompareGrid.Cell> cells = grid.run();
            double wall = (System.nanoTime() - start) / 1e9;
            String header = String.format(Locale.ROOT, "# compare: %s%n%nCheckpoint %s;"
                            + " validation %d per class (seed %d), test %d images; epochs %s;"
                            + " batch %d; seeds %s; backend %s. This invocation: %s wall,"
                            + " %s training.", task.source(), checkpointId, target.valPerClass,
                    TargetTask.VALIDATION_SEED, task.test().size(), rule.describe(), batchSize,
                    seeds, Backends.cpu().describe(), CompareGrid.clock(wall),
                    CompareGrid.clock(grid.trainedSeconds()));
            String md = CompareReport.write(out, cells, methods, budgets, header);
            Path plots = Files.createDirectories(out.resolve("plots"));
            Plots.accuracyVsBudget(plots.resolve("accuracy-vs-budget.png"), cells, methods,
                    budgets, "Target test accuracy vs labelled images per class");
            for (int b : budgets) {
                Plots.lossCurves(plots.resolve("loss-curves-b" + b + ".png"), cells, methods, b,
                        "Training loss, " + b + " labelled images per class (mean over seeds)");
            }
            System.out.print(md);
            System.out.println("\nwrote " + out.resolve("results.md") + ", results.csv,"
                    + " tuning.csv, plots/ and runs/");
            return 0;
        } catch (IOException e) {
            System.err.println("compare: " + e.getMessage());
            return 1;
        }
    }

    private static int fail(String problem) {
        System.err.println("compare: " + problem);
        return 2;
    }

    /** One line naming the first bad argument that needs no file, or null. */
    private String checkArguments() {
        for (String m : methods) {
            if (!FineTuning.METHODS.contains(m)) {
                return "unknown method '" + m + "' in --methods (choose from "
                        + String.join(", ", FineTuning.METHODS) + ")";
            }
        }
        if (new HashSet<>(methods).size() != methods.size()) {
            return "--methods lists a method twice";
        }
        for (int b : budgets) if (b < 1) return "--budgets must be >= 1, got " + b;
        if (new HashSet<>(budgets).size() != budgets.size()) return "--budgets lists a value twice";
        if (new HashSet<>(seeds).size() != seeds.size()) return "--seeds lists a seed twice";
        if (epochs != null && epochs < 1) return "--epochs must be >= 1, got " + epochs;
        if (batchSize < 1) return "--batch-size must be >= 1, got " + batchSize;
        if (evalPoints < 1) return "--eval-points must be >= 1, got " + evalPoints;
        String decay = FineTuning.LrDecay.problem(lrDecay);
        if (decay != null) return decay;
        return target.check();
    }

    /** method -> grid for the methods that are tuned (empty map: nothing is tuned). */
    private Map<String, Map<String, List<Double>>> grids() {
        Map<String, Map<String, List<Double>>> overrides = HyperParameters.parseOverrides(
                tuneGrid);
        for (String m : overrides.keySet()) {
            if (!methods.contains(m)) {
                throw new IllegalArgumentException("--tune-grid names " + m
                        + ", which is not in --methods");
            }
        }
        Map<String, Map<String, List<Double>>> grids = new LinkedHashMap<>();
        for (String m : methods) {
            Map<String, List<Double>> g = new LinkedHashMap<>();
            if (tune) g.putAll(HyperParameters.defaultGrid(m));
            if (overrides.containsKey(m)) g.putAll(overrides.get(m));
            if (!g.isEmpty()) grids.put(m, g);
        }
        return grids;
    }

    /**
     * Makes out ready: a new folder gets protocol.json; an existing one must hold the same
     * protocol (otherwise its finished runs would be mixed with different ones). Returns the
     * problem as one line, or null.
     */
    private String claimOutput(RunRecord.Protocol protocol) throws IOException {
        String text = JsonText.write(protocol.toJson());
        Path file = out.resolve(PROTOCOL_FILE);
        if (Files.isRegularFile(file)) {
            String old = Files.readString(file);
            if (!old.equals(text)) {
                return "--out " + out + " holds a grid made with other settings (" + difference(
                        old, text) + "); use another --out, or the same settings to resume";
            }
            return null;
        }
        if (Files.exists(out) && !Files.isDirectory(out)) return "--out " + out + " is a file";
        Files.createDirectories(out);
        AtomicFile.writeString(file, text);
        return null;
    }

    /** The first protocol field that differs, as "epochs: 30 there, 20 now". */
    private static String difference(String old, String now) {
        Map<String, Object> a = JsonText.parseObject(old);
        Map<String, Object> b = JsonText.parseObject(now);
        for (String k : b.keySet()) {
            if (!String.valueOf(a.get(k)).equals(String.valueOf(b.get(k)))) {
                return k + ": " + a.get(k) + " there, " + b.get(k) + " now";
            }
        }
        return "unreadable " + PROTOCOL_FILE;
    }
}
