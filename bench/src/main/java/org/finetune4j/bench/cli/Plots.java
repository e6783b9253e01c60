package org.finetune4j.bench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.finetune4j.nn.io.AtomicFile;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The compare command's PNG charts (XChart, drawn off-screen): test accuracy against labelled
 * images per class with ± one standard deviation over seeds as error bars, and per budget the
 * epoch-mean training loss of every method, averaged over seeds.
 */
final class Plots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private Plots() {}

    /** accuracy-vs-budget.png: one series per method, x on a log scale. */
    static void accuracyVsBudget(Path file, List<CompareGrid.Cell> cells, List<String> methods,
                                 List<Integer> budgets, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("labelled training images per class")
                .yAxisTitle("test accuracy (%), mean ± std over seeds").build();
        chart.getStyler().setXAxisLogarithmic(budgets.size() > 1 && max(budgets)
                >= 4 * min(budgets));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setMarkerSize(7);
        for (String m : methods) {
            double[] x = new double[budgets.size()];
            double[] y = new double[budgets.size()];
            double[] err = new double[budgets.size()];
            for (int i = 0; i < budgets.size(); i++) {
                CompareGrid.Cell c = find(cells, m, budgets.get(i));
                CompareReport.Stats s = CompareReport.testStats(c);
                x[i] = budgets.get(i);
                y[i] = 100 * s.mean();
                err[i] = 100 * s.std();
            }
            chart.addSeries(m, x, y, err);
        }
        save(file, chart);
    }

    /** loss-curves-bBUDGET.png: mean over seeds of each method's epoch-mean total loss. */
    static void lossCurves(Path file, List<CompareGrid.Cell> cells, List<String> methods,
                           int budget, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle("training objective (epoch mean, all terms)")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setYAxisLogarithmic(true);
        for (String m : methods) {
            CompareGrid.Cell c = find(cells, m, budget);
            double[] mean = meanCurve(c.runs());
            if (mean.length == 0) continue;
            double[] x = new double[mean.length];
            for (int i = 0; i < x.length; i++) x[i] = i + 1;
            chart.addSeries(m, x, mean);
        }
        save(file, chart);
    }

    /** Element-wise mean over runs, as long as the shortest curve, floored for the log axis. */
    static double[] meanCurve(List<RunRecord> runs) {
        int n = Integer.MAX_VALUE;
        for (RunRecord r : runs) n = Math.min(n, r.epochLoss().size());
        double[] mean = new double[n == Integer.MAX_VALUE ? 0 : n];
        for (RunRecord r : runs) {
            for (int i = 0; i < mean.length; i++) mean[i] += r.epochLoss().get(i) / runs.size();
        }
        for (int i = 0; i < mean.length; i++) mean[i] = Math.max(mean[i], 1e-4);
        return mean;
    }

    private static CompareGrid.Cell find(List<CompareGrid.Cell> cells, String m, int budget) {
        for (CompareGrid.Cell c : cells) {
            if (c.method().equals(m) && c.budget() == budget) return c;
        }
        throw new IllegalStateException("no cell " + m + " at " + budget);
    }

    private static void save(Path file, XYChart chart) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(file, out -> out.write(png));
    }

    private static int max(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static int min(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).min().orElse(0);
    }

}
