package org.finetune4j.nn;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.autograd.Variable;

/**
 * PyTorch's nn.Sequential: applies its modules in order. They are registered under "0", "1", …,
 * so keys such as {@code layer1.0.conv1.weight} or {@code downsample.1.running_var} match
 * PyTorch's.
 */
public final class Sequential extends Module {
    private final List<Module> modules = new ArrayList<>();

    public Sequential(Module... modules) {
        this(List.of(modules));
    }

    public Sequential(List<? extends Module> modules) {
        for (Module m : modules) {
            child(Integer.toString(this.modules.size()), m);
            this.modules.add(m);
        }
    }

    @Override
    public Variable forward(Variable x) {
        Variable y = x;
        for (Module m : modules) y = m.forward(y);
        return y;
    }

    public Module get(int i) {
        return modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    /** The modules in order (unmodifiable). */
    public List<Module> modules() {
        return List.copyOf(modules);
    }

    @Override
    public Sequential copy() {
        return (Sequential) super.copy();
    }

    @Override
    protected Sequential duplicate() {
        List<Module> copies = new ArrayList<>();
        for (Module m : modules) copies.add(m.copy());
        return new Sequential(copies);
    }
}
