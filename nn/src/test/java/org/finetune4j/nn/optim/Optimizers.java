package org.finetune4j.nn.optim;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Test helper: one configuration of each optimiser with every buffer switched on. */
final class Optimizers {
    private Optimizers() {}

    record Factory(String name, Function<List<ParamGroup>, Optimizer> make) {
        Optimizer of(List<ParamGroup> groups) {
            return make.apply(groups);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> all() {
        return Stream.of(
                new Factory("Sgd nesterov", g -> new Sgd(g, Sgd.Options.nesterov(0.9))),
                new Factory("RmsProp centered momentum",
                        g -> new RmsProp(g, new RmsProp.Options(0.9, 1e-8, 0.5, true))),
                new Factory("Adam amsgrad",
                        g -> new Adam(g, new Adam.Options(0.9, 0.999, 1e-8, true))),
                new Factory("AdamW", g -> new AdamW(g, Adam.Options.defaults())))
                .map(Arguments::of);
    }
}
