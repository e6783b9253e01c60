package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.finetune4j.nn.io.AtomicFile;

/**
 * The compare grid's summary: results.md (accuracy table, chosen hyper-parameters, tuning
 * scores), results.csv (one row per method and budget, per-seed accuracies included) and
 * tuning.csv (validation accuracy of every configuration tried). Test accuracies are mean ± sample
 * standard deviation over seeds; the tuning columns are validation accuracies only.
 */
final class CompareReport {
    private CompareReport() {}

    /** Mean and sample standard deviation (0 for one value). */
    record Stats(double mean, double std) {
        static Stats of(List<Double> xs) {
            double mean = 0;
            for (double x : xs) mean += x;
            mean /= xs.size();
            double ss = 0;
            for (double x : xs) ss += (x - mean) * (x - mean);
            return new Stats(mean, xs.size() > 1 ? Math.sqrt(ss / (xs.size() - 1)) : 0);
        }
    }

    static Stats testStats(CompareGrid.Cell c) {
        List<Double> xs = new ArrayList<>();
        for (RunRecord r : c.runs()) xs.add(r.testAccuracy());
        return Stats.of(xs);
    }

    static double meanSeconds(CompareGrid.Cell c) {
        double s = 0;
        for (RunRecord r : c.runs()) s += r.seconds();
        return s / c.runs().size();
    }

    /** Writes results.md, results.csv and tuning.csv into out; returns the Markdown text. */
    static String write(Path out, List<CompareGrid.Cell> cells, List<String> methods,
                        List<Integer> budgets, String header) throws IOException {
        String md = markdown(cells, methods, budgets, header);
        AtomicFile.writeString(out.resolve("results.md"), md);
        AtomicFile.writeString(out.resolve("results.csv"), csv(cells));
        AtomicFile.writeString(out.resolve("tuning.csv"), tuningCsv(cells));
        return md;
    }

    static String markdown(List<CompareGrid.Cell> cells, List<String> methods,
                           List<Integer> budgets, String header) {
        Map<String, CompareGrid.Cell> byKey = new LinkedHashMap<>();
        for (CompareGrid.Cell c : cells) byKey.put(c.method() + "@" + c.budget(), c);
        StringBuilder b = new StringBuilder(header).append("\n\n");
        b.append("Test accuracy (%), mean ± std over seeds; labelled images per class:\n\n");
        b.append("| method |");
        for (int bu : budgets) b.append(' ').append(bu).append(" |");
        b.append("\n|---|");
        b.append("---:|".repeat(budgets.size())).append('\n');
        for (String m : methods) {
            b.append("| ").append(m).append(" |");
            for (int bu : budgets) {
                Stats s = testStats(byKey.get(m + "@" + bu));
                b.append(String.format(Locale.ROOT, " %.2f ± %.2f |", 100 * s.mean(),
                        100 * s.std()));
            }
            b.append('\n');
        }
        b.append("\nHyper-parameters used (chosen on the validation split where tuned)"
                + " and mean wall time per run:\n\n| method | budget | configuration | tuned |"
                + " seconds per run |\n|---|---:|---|---|---:|\n");
        for (CompareGrid.Cell c : cells) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.1f |%n", c.method(),
                    c.budget(), HyperParameters.tag(c.chosen()), c.tuned() ? "yes" : "no",
                    meanSeconds(c)));
        }
        boolean anyTuned = cells.stream().anyMatch(CompareGrid.Cell::tuned);
        if (anyTuned) {
            b.append("\nValidation accuracy (%) of every configuration tried (first seed):\n\n"
                    + "| method | budget | configuration | validation |\n|---|---:|---|---:|\n");
            for (CompareGrid.Cell c : cells) {
                for (Map.Entry<String, Double> e : CompareGrid.tuningScores(c).entrySet()) {
                    b.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f |%n", c.method(),
                            c.budget(), e.getKey(), 100 * e.getValue()));
                }
            }
        }
        return b.toString();
    }

    static String csv(List<CompareGrid.Cell> cells) {
        StringBuilder b = new StringBuilder("method,budget_per_class,configuration,tuned,seeds,"
                + "test_accuracy_mean,test_accuracy_std,validation_accuracy_mean,"
                + "test_accuracy_per_seed,seconds_per_run\n");
        for (CompareGrid.Cell c : cells) {
            Stats t = testStats(c);
            double val = 0;
            StringBuilder per = new StringBuilder();
            StringBuilder seeds = new StringBuilder();
            for (RunRecord r : c.runs()) {
                val += r.valAccuracy() / c.runs().size();
                if (per.length() > 0) per.append(' ');
                per.append(String.format(Locale.ROOT, "%.4f", r.testAccuracy()));
                if (seeds.length() > 0) seeds.append(' ');
                seeds.append(r.seed());
            }
            b.append(String.format(Locale.ROOT, "%s,%d,%s,%b,%s,%.4f,%.4f,%.4f,%s,%.1f%n",
                    c.method(), c.budget(), HyperParameters.tag(c.chosen()), c.tuned(), seeds,
                    t.mean(), t.std(), val, per, meanSeconds(c)));
        }
        return b.toString();
    }

    static String tuningCsv(List<CompareGrid.Cell> cells) {
        StringBuilder b = new StringBuilder("method,budget_per_class,seed,configuration,"
                + "validation_accuracy,chosen\n");
        for (CompareGrid.Cell c : cells) {
            for (RunRecord r : c.tuning()) {
                b.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%.4f,%b%n", c.method(),
                        c.budget(), r.seed(), HyperParameters.tag(r.hyper()), r.valAccuracy(),
                        r.hyper().equals(c.chosen())));
            }
        }
        return b.toString();
    }
}
