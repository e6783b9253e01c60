package org.finetune4j.nn.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.nn.Parameter;
import org.finetune4j.nn.optim.Optimizer;
import org.finetune4j.nn.optim.ParamGroup;
import org.finetune4j.nn.optim.Sgd;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each schedule's rates for epochs 0..19 against PyTorch 1.13's schedulers (golden/optim.json,
 * from nn/src/test/python/make_golden_optim.py), for two groups with base rates 0.1 and 0.02.
 * PyTorch updates most rates recursively, so the comparison allows float64 rounding only.
 */
class LrScheduleGoldenTest {
    private static final Golden.Fixture FIXTURE = Golden.load("optim");
    private static final double RTOL = 1e-12;

    static Stream<Golden.Case> scheduleCases() {
        return FIXTURE.cases().stream().filter(c -> c.params().containsKey("schedule"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scheduleCases")
    void matchesPyTorchGolden(Golden.Case c) {
        LrSchedule schedule = build(c, c.stringParam("schedule"));
        for (int g = 0; g < 2; g++) {
            double base = numbers(c, "base_lr").get(g);
            List<Double> expected = numbers(c, "lr_group" + g);
            for (int t = 0; t < expected.size(); t++) {
                double e = expected.get(t);
                assertEquals(e, schedule.lr(base, t), RTOL * Math.abs(e),
                        c.what("group " + g + " epoch " + t));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scheduleCases")
    void applyToSetsEveryGroupFromItsBaseRate(Golden.Case c) {
        LrSchedule schedule = build(c, c.stringParam("schedule"));
        List<Double> base = numbers(c, "base_lr");
        List<ParamGroup> groups = new ArrayList<>();
        for (double lr : base) {
            groups.add(ParamGroup.unnamed(List.of(new Parameter(Tensor.zeros(2))), lr, 0));
        }
        Optimizer sgd = new Sgd(groups, Sgd.Options.plain());
        for (int t : new int[] {7, 0, 13}) {                  // any order: no hidden state
            schedule.applyTo(sgd, t);
            for (int g = 0; g < 2; g++) {
                double e = numbers(c, "lr_group" + g).get(t);
                assertEquals(e, sgd.lr(g), RTOL * e, c.what("group " + g + " epoch " + t));
                assertEquals(base.get(g), sgd.groups().get(g).lr(), 0.0, "base lr is untouched");
            }
        }
    }

    @Test
    void rejectsMeaninglessArguments() {
        assertThrows(IllegalArgumentException.class, () -> new StepLr(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new CosineLr(0, 0));
        assertThrows(IllegalArgumentException.class, () -> MultiStepLr.of(0.1, 3, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new LinearWarmup(3, 1.5, LrSchedule.constant()));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(3, 0.1, null));
    }

    @Test
    void warmupFromZeroStartsAtZeroAndReachesTheBaseRate() {
        LrSchedule s = new LinearWarmup(4, 0, LrSchedule.constant());
        assertEquals(0.0, s.lr(0.1, 0), 0.0);
        assertEquals(0.05, s.lr(0.1, 2), 1e-17);
        assertEquals(0.1, s.lr(0.1, 4), 0.0);
    }

    private static LrSchedule build(Golden.Case c, String kind) {
        return switch (kind) {
            case "constant" -> LrSchedule.constant();
            case "step" -> new StepLr(c.intParam("step_size"), number(c, "gamma"));
            case "multistep" -> {
                List<Long> milestones = new ArrayList<>();
                for (int m : c.ints("milestones")) milestones.add((long) m);
                yield new MultiStepLr(milestones, number(c, "gamma"));
            }
            case "cosine" -> new CosineLr(c.intParam("t_max"), number(c, "eta_min"));
            case "warmup" -> new LinearWarmup(c.intParam("warmup"), number(c, "start_factor"),
                    build(c, c.stringParam("then")));
            default -> throw new IllegalArgumentException("unknown schedule " + kind);
        };
    }

    private static double number(Golden.Case c, String key) {
        return ((BigDecimal) c.raw(key)).doubleValue();
    }

    private static List<Double> numbers(Golden.Case c, String key) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) c.raw(key)) out.add(((BigDecimal) o).doubleValue());
        return out;
    }
}
