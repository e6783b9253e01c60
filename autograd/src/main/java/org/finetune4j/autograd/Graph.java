package org.finetune4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The reverse-mode engine. Finds the ops between the outputs and the leaves by an iterative
 * depth-first search (deep graphs never touch the Java stack), then applies the chain rule in
 * reverse topological order, summing gradients where a variable fans out.
 *
 * <p>Two entry points, as in PyTorch: {@link #backward} accumulates into the {@code grad} of
 * leaves (and of variables that asked to retain theirs); {@link #grad} returns the gradients of
 * chosen variables and touches no {@code grad} field. With {@code createGraph} the backward
 * formulas are themselves recorded, so the returned gradients can be differentiated again.
 */
public final class Graph {
    private Graph() {}

    /** Accumulates d(Σ seed·root)/d(leaf) into every reachable leaf's grad. */
    public static void backward(Variable root, Variable seed, boolean retainGraph, boolean createGraph) {
        run(List.of(root), List.of(seed), retainGraph, createGraph, null);
    }

    /**
     * Gradients of Σ_i ⟨seeds_i, outputs_i⟩ with respect to each input (zeros where an input is not
     * reached). Seeds may be null for one-element outputs.
     */
    public static List<Variable> grad(List<Variable> outputs, List<Variable> inputs, List<Variable> seeds,
                                      boolean retainGraph, boolean createGraph) {
        List<Variable> s = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Variable seed = seeds == null ? null : seeds.get(i);
            s.add(seed != null ? seed : defaultSeed(outputs.get(i)));
        }
        for (Variable in : inputs) {
            if (!in.requiresGrad()) {
                throw new IllegalArgumentException("grad: an input " + in.shape() + " does not require grad");
            }
        }
        Map<Variable, Variable> found = run(outputs, s, retainGraph, createGraph, inputs);
        List<Variable> result = new ArrayList<>();
        for (Variable in : inputs) {
            Variable g = found.get(in);
            result.add(g != null ? g : Variable.constant(in.value().zerosLike()));
        }
        return result;
    }

    static Variable defaultSeed(Variable root) {
        if (root.value().size() != 1) {
            throw new IllegalArgumentException("backward of a non-scalar output " + root.shape()
                    + " needs a seed gradient of the same shape");
        }
        return Variable.constant(root.value().fullLike(1f));
    }

    private static Map<Variable, Variable> run(List<Variable> roots, List<Variable> seeds, boolean retainGraph,
                                               boolean createGraph, List<Variable> wanted) {
        for (int i = 0; i < roots.size(); i++) {
            Variable r = roots.get(i);
            if (!r.requiresGrad()) {
                throw new IllegalArgumentException("backward: output " + r.shape()
                        + " does not require grad (no input requires grad, or it was computed under NoGrad)");
            }
            if (!seeds.get(i).shape().equals(r.shape())) {
                throw new IllegalArgumentException("backward: seed gradient " + seeds.get(i).shape()
                        + " does not match output " + r.shape());
            }
        }
        List<Variable> order = topologicalOrder(roots);
        Set<Variable> needed = wanted == null ? null : reaching(order, wanted);
        Map<Variable, Variable> grads = new IdentityHashMap<>();
        Map<Variable, Variable> result = new IdentityHashMap<>();
        boolean previous = GradMode.set(createGraph);
        try {
            for (int i = 0; i < roots.size(); i++) accumulate(grads, roots.get(i), seeds.get(i));
            for (int i = order.size() - 1; i >= 0; i--) {
                Variable v = order.get(i);
                Variable g = grads.remove(v);
                if (g == null) continue;                          // no gradient reached it
                g = runHooks(v, g);
                if (wanted != null) {
                    if (containsIdentity(wanted, v)) result.merge(v, g, Variable::add);
                } else if (v.isLeaf() || v.retainsGrad()) {
                    v.accumulateGrad(createGraph ? g : g.detach());
                }
                Function f = v.creator();
                if (f == null) continue;
                if (needed != null && !anyNeeded(f.inputs(), needed)) continue;   // nothing wanted upstream
                if (f.released()) {
                    throw new IllegalStateException("backward through a graph that was already released (op "
                            + f.name() + "); pass retainGraph = true to the first backward to run it twice");
                }
                propagate(f, g, grads, needed);
                if (!retainGraph) f.release();
            }
        } finally {
            GradMode.set(previous);
        }
        return result;
    }

    private static void propagate(Function f, Variable g, Map<Variable, Variable> grads, Set<Variable> needed) {
        Variable[] in = f.inputs();
        Variable[] gi = f.backward(g);
        if (gi.length != in.length) {
            throw new IllegalStateException(f.name() + ".backward returned " + gi.length + " gradients for "
                    + in.length + " inputs");
        }
        for (int k = 0; k < in.length; k++) {
            if (gi[k] == null || !in[k].requiresGrad()) continue;
            if (needed != null && !needed.contains(in[k])) continue;
            if (!gi[k].shape().equals(in[k].shape())) {
                throw new IllegalStateException(f.name() + ".backward: gradient " + gi[k].shape()
                        + " for input " + k + " of shape " + in[k].shape());
            }
            accumulate(grads, in[k], gi[k]);
        }
    }

    private static void accumulate(Map<Variable, Variable> grads, Variable v, Variable g) {
        grads.merge(v, g, Variable::add);                          // fan-out: gradients add up
    }

    private static Variable runHooks(Variable v, Variable g) {
        for (UnaryOperator<Variable> hook : v.hooks()) {
            Variable h = hook.apply(g);
            if (h != null) {
                if (!h.shape().equals(g.shape())) {
                    throw new IllegalStateException("a gradient hook changed the shape " + g.shape() + " to "
                            + h.shape());
                }
                g = h;
            }
        }
        return g;
    }

    private static boolean anyNeeded(Variable[] inputs, Set<Variable> needed) {
        for (Variable in : inputs) if (needed.contains(in)) return true;
        return false;
    }

    private static boolean containsIdentity(List<Variable> list, Variable v) {
        for (Variable w : list) if (w == v) return true;
        return false;
    }

    /** Variables (that require grad) in post-order: every input before the ops that read it. */
    static List<Variable> topologicalOrder(List<Variable> roots) {
        List<Variable> order = new ArrayList<>();
        Set<Variable> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();               // {variable, next input index}
        for (Variable root : roots) {
            if (!visited.add(root)) continue;
            stack.push(new Object[] {root, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Variable v = (Variable) top[0];
                int next = (Integer) top[1];
                Variable[] in = v.creator() == null ? new Variable[0] : v.creator().inputs();
                if (next < in.length) {
                    top[1] = next + 1;
                    Variable c = in[next];
                    if (c.requiresGrad() && visited.add(c)) stack.push(new Object[] {c, 0});
                } else {
                    stack.pop();
                    order.add(v);
                }
            }
        }
        return order;
    }

    /** The variables from which some wanted variable is reachable (the only ones worth visiting). */
    private static Set<Variable> reaching(List<Variable> order, List<Variable> wanted) {
        Set<Variable> needed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Variable v : order) {                                     // inputs come first in post-order
            boolean need = containsIdentity(wanted, v);
            if (!need && v.creator() != null) {
                need = Arrays.stream(v.creator().inputs()).anyMatch(needed::contains);
            }
            if (need) needed.add(v);
        }
        return needed;
    }
}
