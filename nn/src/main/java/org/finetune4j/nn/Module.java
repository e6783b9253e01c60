package org.finetune4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.io.LoadReport;
import org.finetune4j.nn.io.StateDicts;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backends;

/**
 * The one abstract class of nn. A module registers its parts explicitly, by name, when it creates
 * them ({@link #param}, {@link #buffer}, {@link #child}); nothing walks fields by reflection. The
 * names compose into checkpoint keys such as {@code layer2.0.downsample.1.running_mean}, matching
 * PyTorch's for the same architecture so that weights move both ways.
 *
 * <p>Order is registration order, so {@link #parameters()} is stable. Training mode and freezing
 * apply to the whole subtree.
 *
 * <p>{@link #copy()} deep-copies a module: every parameter and buffer gets a fresh tensor, and
 * names, training modes, trainable flags and frozen batch-norm statistics carry over. Each class
 * supplies the structure through {@link #duplicate()}; this class checks the result and copies the
 * flags, so a copy is independent of its original (SpotTune's and AdaFilter's frozen copies, KD
 * teachers). The copy lives on the original's device.
 *
 * <p>Devices: {@link #to(Device)} moves the subtree's parameters and buffers in place. Parameter
 * objects survive the move (they swap their value), so an optimiser built before still updates
 * them; buffers are replaced, so layers read them through {@link #bufferTensor} and never keep
 * them in fields.
 */
public abstract class Module {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean batchNormStatisticsFrozen;

    /** y = f(x). */
    public abstract Variable forward(Variable x);

    // ---------------------------------------------------------------- registration

    protected final Parameter param(String name, Tensor init) {
        checkName(name);
        Parameter p = new Parameter(init);
        params.put(name, p);
        return p;
    }

    protected final Tensor buffer(String name, Tensor init) {
        checkName(name);
        buffers.put(name, init);
        return init;
    }

    /** The current tensor of a registered buffer; {@link #to(Device)} replaces it. */
    protected final Tensor bufferTensor(String name) {
        Tensor t = buffers.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no buffer '" + name + "' in "
                    + getClass().getSimpleName() + " (buffers " + buffers.keySet() + ")");
        }
        return t;
    }

    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /** Swaps a registered child for another (a new head, a pruned block); returns the new one. */
    protected final <M extends Module> M replaceChild(String name, M module) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException("no child '" + name + "' to replace in "
                    + getClass().getSimpleName() + " (children " + children.keySet() + ")");
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module part name '" + name
                    + "' must be non-empty and dot-free");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("module part '" + name + "' registered twice in "
                    + getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- traversal

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of the subtree under its dotted name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collectParameters(prefix + k + ".", out));
    }

    /** Every buffer of the subtree (running statistics, …) under its dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collectBuffers(prefix + k + ".", out));
    }

    /** Every module of the subtree, this one under "". */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String name, Map<String, Module> out) {
        out.put(name, this);
        children.forEach((k, m) -> m.collectModules(name.isEmpty() ? k : name + "." + k, out));
    }

    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : namedParameters().values()) if (p.trainable()) out.add(p);
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) n += p.value().size();
        return n;
    }

    // ---------------------------------------------------------------- modes

    public final boolean isTraining() {
        return training;
    }

    /** Training (true) or evaluation (false) mode for the whole subtree. */
    public Module train(boolean on) {
        for (Module m : namedModules().values()) m.training = on;
        return this;
    }

    public final Module train() {
        return train(true);
    }

    public final Module eval() {
        return train(false);
    }

    /** Freezes (or unfreezes) every parameter of the subtree. */
    public Module setTrainable(boolean trainable) {
        for (Parameter p : namedParameters().values()) p.setTrainable(trainable);
        return this;
    }

    /**
     * Frozen (true): batch-norm layers of the subtree normalise with their running statistics and
     * leave them untouched, also in training mode (linear probes, frozen teachers). Independent
     * of {@link #train(boolean)}, so {@code model.train()} does not undo it.
     */
    public Module freezeBatchNormStatistics(boolean frozen) {
        for (Module m : namedModules().values()) m.batchNormStatisticsFrozen = frozen;
        return this;
    }

    public final boolean batchNormStatisticsFrozen() {
        return batchNormStatisticsFrozen;
    }

    public void zeroGrad() {
        for (Parameter p : namedParameters().values()) p.zeroGrad();
    }

    // ---------------------------------------------------------------- device

    /**
     * Moves every parameter and buffer of the subtree to device, in place, and returns this.
     * Names, Parameter objects, trainable flags and modes stay; gradients are dropped (move
     * before training). Optimiser state follows its parameters on the optimiser's next step,
     * so an optimiser may be built before or after the move.
     */
    public Module to(Device device) {
        for (Module m : namedModules().values()) {
            for (Parameter p : m.params.values()) p.moveTo(device);
            m.buffers.replaceAll((k, t) -> t.to(device));
        }
        return this;
    }

    /**
     * The one device of the subtree's parameters and buffers; the default device
     * (Backends.defaultDevice()) for a module without any. A subtree spread over devices is an
     * error naming two tensors that differ.
     */
    public Device device() {
        Device found = null;
        String first = null;
        for (Map.Entry<String, Tensor> e : stateDict().entrySet()) {
            Device d = e.getValue().device();
            if (found == null) {
                found = d;
                first = e.getKey();
            } else if (!d.equals(found)) {
                throw new IllegalStateException(getClass().getSimpleName() + " spans devices: '"
                        + first + "' is on " + found + ", '" + e.getKey() + "' on " + d
                        + "; call to(device) on the whole model");
            }
        }
        return found == null ? Backends.defaultDevice() : found;
    }

    // ---------------------------------------------------------------- state

    /** Parameters and buffers by name; the tensors are the live ones (copy them to snapshot). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> out.put(k, p.value()));
        out.putAll(namedBuffers());
        return out;
    }

    /** StateDicts.load(this, state, strict): copies values into this module's own tensors. */
    public LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        return StateDicts.load(this, state, strict);
    }

    // ---------------------------------------------------------------- deep copy

    /**
     * An independent deep copy: fresh tensors with equal values, the same names, training modes,
     * trainable flags and batch-norm freezing. Subclasses may narrow the return type.
     */
    public Module copy() {
        Module c = duplicate();
        Map<String, Module> from = namedModules();
        Map<String, Module> to = c.namedModules();
        if (c.getClass() != getClass() || !from.keySet().equals(to.keySet())) {
            throw new IllegalStateException(getClass().getSimpleName() + ".duplicate() returned "
                    + c.getClass().getSimpleName() + " with modules " + to.keySet()
                    + ", expected " + from.keySet());
        }
        from.forEach((k, m) -> {
            to.get(k).training = m.training;
            to.get(k).batchNormStatisticsFrozen = m.batchNormStatisticsFrozen;
            to.get(k).placeLike(m);
        });
        Map<String, Parameter> params = c.namedParameters();
        namedParameters().forEach((k, p) -> params.get(k).setTrainable(p.trainable()));
        checkIndependent(c);
        return c;
    }

    /**
     * The per-class hook of {@link #copy()}: a new module of the same class and structure whose
     * parameters and buffers are fresh tensors holding this module's values (children are copied
     * with their own copy()). Flags need not be set; copy() does that.
     */
    protected Module duplicate() {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not support copy(): override duplicate()");
    }

    /** Moves each of this module's own tensors to the device of the original's namesake. */
    private void placeLike(Module original) {
        params.forEach((k, p) -> {
            Parameter o = original.params.get(k);
            if (o != null) p.moveTo(o.value().device());
        });
        buffers.replaceAll((k, t) -> {
            Tensor o = original.buffers.get(k);
            return o == null ? t : t.to(o.device());
        });
    }

    private void checkIndependent(Module c) {
        Map<String, Tensor> mine = stateDict();
        Map<String, Tensor> theirs = c.stateDict();
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor t = theirs.get(e.getKey());
            if (t == null || !t.shape().equals(e.getValue().shape())) {
                throw new IllegalStateException(getClass().getSimpleName() + ".duplicate(): '"
                        + e.getKey() + "' is " + (t == null ? "missing" : t.shape())
                        + ", expected " + e.getValue().shape());
            }
            if (t.storage() == e.getValue().storage()) {
                throw new IllegalStateException(getClass().getSimpleName() + ".duplicate(): '"
                        + e.getKey() + "' shares its storage with the original");
            }
        }
    }
}
