package org.finetune4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.finetune4j.nn.resnet.ResNet;

/**
 * Runs the compare grid: for every budget and method, first (with --tune) each configuration of
 * the method's grid on the first seed, scored on the validation split; the best one is then run
 * on the other seeds (its first-seed run is reused, since it is exactly that run). Every run lives
 * in OUT/runs/METHOD/bBUDGET/sSEED/CONFIG/; a finished one (manifest present) is read back instead
 * of redone, a half-written one is deleted and redone. Progress goes to the log stream with the
 * elapsed time and an ETA from a cost model (images processed) calibrated on the runs done so far.
 */
final class CompareGrid {
    /** One cell of the result table: a method at a budget with its chosen configuration. */
    record Cell(String method, int budget, Map<String, Double> chosen, boolean tuned,
                List<RunRecord> runs, List<RunRecord> tuning) {}

    private final Path out;
    private final ResNet pretrained;
    private final TargetTask task;
    private final List<String> methods;
    private final List<Integer> budgets;
    private final List<Long> seeds;
    private final Map<String, Map<String, List<Double>>> grids;   // method -> tuned grid
    private final CompareCommand.EpochRule epochRule;
    private final int batchSize;
    private final int evalPoints;
    private final FineTuning.LrDecay lrDecay;
    private final RunRecord.Protocol protocol;
    private final PrintStream log;

    private final int total;
    private final double totalCost;
    private int done;
    private double doneCost;
    private double measuredCost;       // cost of runs actually trained in this invocation
    private double measuredSeconds;
    private final long start = System.nanoTime();

    CompareGrid(Path out, ResNet pretrained, TargetTask task, List<String> methods,
                List<Integer> budgets, List<Long> seeds,
                Map<String, Map<String, List<Double>>> grids, CompareCommand.EpochRule epochRule,
                int batchSize, int evalPoints, FineTuning.LrDecay lrDecay,
                RunRecord.Protocol protocol, PrintStream log) {
        this.out = out;
        this.pretrained = pretrained;
        this.task = task;
        this.methods = methods;
        this.budgets = budgets;
        this.seeds = seeds;
        this.grids = grids;
        this.epochRule = epochRule;
        this.batchSize = batchSize;
        this.evalPoints = evalPoints;
        this.lrDecay = lrDecay;
        this.protocol = protocol;
        this.log = log;
        int n = 0;
        double cost = 0;
        for (int b : budgets) {
            for (String m : methods) {
                int runs = seeds.size() + (configs(m).size() > 1 ? configs(m).size() - 1 : 0);
                n += runs;
                cost += runs * cost(m, b);
            }
        }
        this.total = n;
        this.totalCost = cost;
    }

    int totalRuns() {
        return total;
    }

    /** The configurations run on the first seed: the grid with --tune, else the defaults. */
    List<Map<String, Double>> configs(String method) {
        Map<String, List<Double>> g = grids.get(method);
        if (g == null || g.isEmpty()) return List.of(HyperParameters.defaults(method));
        return HyperParameters.expand(method, g);
    }

    /** Runs (or reads back) the whole grid; cells in budget-major, then method, order. */
    List<Cell> run() throws IOException {
        List<Cell> cells = new ArrayList<>();
        for (int b : budgets) {
            for (String m : methods) cells.add(cell(m, b));
        }
        return cells;
    }

    private Cell cell(String method, int budget) throws IOException {
        List<Map<String, Double>> configs = configs(method);
        boolean tuned = configs.size() > 1;
        List<RunRecord> tuning = new ArrayList<>();
        for (Map<String, Double> c : configs) {
            tuning.add(runOrRead(method, budget, seeds.get(0), c));
        }
        RunRecord best = tuning.get(0);
        for (RunRecord r : tuning) if (r.valAccuracy() > best.valAccuracy()) best = r;
        if (tuned) {
            log.printf(Locale.ROOT, "compare: %s at %d per class: chose %s (validation %.2f%%)%n",
                    method, budget, HyperParameters.tag(best.hyper()), 100 * best.valAccuracy());
        }
        List<RunRecord> runs = new ArrayList<>();
        runs.add(best);
        for (int i = 1; i < seeds.size(); i++) {
            runs.add(runOrRead(method, budget, seeds.get(i), best.hyper()));
        }
        return new Cell(method, budget, best.hyper(), tuned, runs, tuned ? tuning : List.of());
    }

    Path runDir(String method, int budget, long seed, Map<String, Double> hyper) {
        return out.resolve("runs").resolve(method).resolve("b" + budget).resolve("s" + seed)
                .resolve(HyperParameters.tag(hyper));
    }

    private RunRecord runOrRead(String method, int budget, long seed, Map<String, Double> hyper)
            throws IOException {
        Path dir = runDir(method, budget, seed, hyper);
        String what = String.format(Locale.ROOT, "%s b%d seed %d %s", method, budget, seed,
                HyperParameters.tag(hyper));
        RunRecord r = RunRecord.read(dir);
        double c = cost(method, budget);
        if (r != null) {
            done++;
            doneCost += c;
            log.printf(Locale.ROOT, "compare: [%d/%d] %s: done earlier (test %.2f%%)%n", done,
                    total, what, 100 * r.testAccuracy());
            return r;
        }
        if (Files.exists(dir)) {
            log.println("compare: " + what + ": redoing a half-written run in " + dir);
            deleteTree(dir);
        }
        int epochs = epochRule.epochs(budget * task.classes(), batchSize);
        FineTuning.Settings s = new FineTuning.Settings(epochs, batchSize, seed, hyper,
                evalPoints, lrDecay);
        FineTuning.Result res = FineTuning.run(method, pretrained, task,
                task.shots(budget, seed), s);
        RunRecord.write(dir, res, budget, s, protocol, task);
        done++;
        doneCost += c;
        measuredCost += c;
        measuredSeconds += res.seconds();
        log.printf(Locale.ROOT, "compare: [%d/%d] %s: validation %.2f%%, test %.2f%% (%d epochs,"
                + " %.1f s); elapsed %s, ETA %s%n", done, total, what, 100 * res.valAccuracy(),
                100 * res.testAccuracy(), epochs, res.seconds(), clock(elapsed()), eta());
        RunRecord back = RunRecord.read(dir);
        if (back == null) throw new IOException("run manifest vanished from " + dir);
        return back;
    }

    /** Relative cost: images through a training step, DELTA's extra source forward included. */
    private double cost(String method, int budget) {
        int images = budget * task.classes() * epochRule.epochs(budget * task.classes(),
                batchSize);
        double factor = switch (method) {
            case "delta" -> 1.4;
            case "linear-probe" -> 0.5;
            default -> 1.0;
        };
        // evaluation: validation at evalPoints epochs and the test split, forward only (~1/3)
        double eval = (task.validation().size() * (double) evalPoints + task.test().size()) / 3;
        return images * factor + eval;
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    private String eta() {
        if (measuredCost <= 0) return "?";
        return clock((totalCost - doneCost) * measuredSeconds / measuredCost);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** Seconds of the runs trained in this invocation (not those read back). */
    double trainedSeconds() {
        return measuredSeconds;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Configuration tag -> validation accuracy of a cell's tuning runs, for the report. */
    static Map<String, Double> tuningScores(Cell c) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (RunRecord r : c.tuning()) m.put(HyperParameters.tag(r.hyper()), r.valAccuracy());
        return m;
    }
}
