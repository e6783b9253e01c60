package org.finetune4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.finetune4j.autograd.Golden;
import org.finetune4j.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Five steps of each optimiser against PyTorch 1.13 (golden/optim.json, from
 * nn/src/test/python/make_golden_optim.py): two groups with their own lr and weight decay, and one
 * parameter without a gradient at step 3. The fixture is float64 PyTorch rounded once, so the
 * tolerance bounds our float32 rounding over five steps.
 */
class OptimizerGoldenTest {
    private static final Golden.Fixture FIXTURE = Golden.load("optim");
    private static final double ATOL = 1e-6;      // measured max |diff|: 2.4e-7 (two ulps at 1)
    private static final double RTOL = 1e-6;

    static Stream<Golden.Case> optimizerCases() {
        return FIXTURE.cases().stream().filter(c -> c.params().containsKey("kind"));
    }

    @Test
    void fixtureComesFromTorch113() {
        assertTrue(FIXTURE.torch().startsWith("1.13"), FIXTURE.torch());
        assertEquals("nn/src/test/python/make_golden_optim.py", FIXTURE.generator());
        assertEquals(14, optimizerCases().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizerCases")
    void matchesPyTorchGolden(Golden.Case c) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        List<ParamGroup> groups = new ArrayList<>();
        List<?> names = (List<?>) c.raw("names");
        for (int g = 0; g < names.size(); g++) {
            Map<String, Parameter> group = new LinkedHashMap<>();
            for (Object name : (List<?>) names.get(g)) {
                group.put((String) name, new Parameter(c.tensor((String) name)));
            }
            all.putAll(group);
            groups.add(ParamGroup.of(group, number(c, "lr", g), number(c, "weight_decay", g)));
        }
        Optimizer optimizer = build(c, groups);
        for (int s = 1; s <= c.intParam("steps"); s++) {
            optimizer.zeroGrad();
            for (Map.Entry<String, Parameter> e : all.entrySet()) {
                String key = e.getKey() + ".grad." + s;
                if (c.has(key)) Grads.set(e.getValue(), c.tensor(key));   // absent: grad None
            }
            optimizer.step();
            for (Map.Entry<String, Parameter> e : all.entrySet()) {
                String key = e.getKey() + ".after." + s;
                Golden.assertClose(c.tensor(key), e.getValue().value(), ATOL, RTOL, c.what(key));
            }
        }
    }

    private static Optimizer build(Golden.Case c, List<ParamGroup> groups) {
        Adam.Options adam = new Adam.Options(number(c, "beta1"), number(c, "beta2"),
                number(c, "eps"), c.boolParam("amsgrad"));
        return switch (c.stringParam("kind")) {
            case "sgd" -> new Sgd(groups, new Sgd.Options(number(c, "momentum"),
                    number(c, "dampening"), c.boolParam("nesterov")));
            case "rmsprop" -> new RmsProp(groups, new RmsProp.Options(number(c, "alpha"),
                    number(c, "eps"), number(c, "momentum"), c.boolParam("centered")));
            case "adam" -> new Adam(groups, adam);
            case "adamw" -> new AdamW(groups, adam);
            default -> throw new IllegalArgumentException("unknown kind " + c.stringParam("kind"));
        };
    }

    /** A float64 parameter (Golden's floatParam would round it to float32 first). */
    private static double number(Golden.Case c, String key) {
        return ((BigDecimal) c.raw(key)).doubleValue();
    }

    private static double number(Golden.Case c, String key, int index) {
        return ((BigDecimal) ((List<?>) c.raw(key)).get(index)).doubleValue();
    }
}
