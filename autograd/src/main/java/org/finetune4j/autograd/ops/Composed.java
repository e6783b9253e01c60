package org.finetune4j.autograd.ops;

import java.util.ArrayList;
import java.util.List;
import org.finetune4j.autograd.Function;
import org.finetune4j.autograd.Graph;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Tensor;

/**
 * Double backward for fused ops. A fused op's fast backward kernel is not itself differentiable;
 * when a graph must be created (GradMode on during backward), the op instead rebuilds its forward
 * from primitive Variable ops and differentiates that with createGraph. The result equals the
 * kernel's (tests compare them) and carries the graph needed for a second derivative.
 *
 * <p>The composition reads its inputs through fresh aliases (identity ops), so Graph.grad returns
 * partial derivatives: an input that is an ancestor of another (t = f(s)) is not also credited
 * with the path through t, which the outer engine adds itself, and hooks on the inputs run once.
 */
final class Composed {
    private Composed() {}

    /** The fused op's forward rebuilt from primitive ops, on its inputs in order. */
    interface Forward {
        Variable apply(Variable[] in);
    }

    /** Gradients of ⟨dy, forward(wrt)⟩ with respect to each of wrt (null where none is needed). */
    static Variable[] grads(Forward forward, Variable dy, Variable... wrt) {
        Variable[] alias = new Variable[wrt.length];
        List<Variable> inputs = new ArrayList<>();
        for (int i = 0; i < wrt.length; i++) {
            boolean differentiated = wrt[i] != null && wrt[i].requiresGrad();
            alias[i] = differentiated ? new Alias().apply(wrt[i]) : wrt[i];
            if (differentiated) inputs.add(alias[i]);
        }
        Variable[] out = new Variable[wrt.length];
        if (inputs.isEmpty()) return out;
        Variable composedOut = forward.apply(alias);
        List<Variable> g = Graph.grad(List.of(composedOut), inputs, List.of(dy), true, true);   // retained: the result's graph runs through it
        for (int i = 0, k = 0; i < wrt.length; i++) {
            if (wrt[i] != null && wrt[i].requiresGrad()) out[i] = g.get(k++);
        }
        return out;
    }

    /** y = x, a node of its own (the value is shared, never copied). */
    private static final class Alias extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0];
        }

        @Override
        protected Variable[] backward(Variable dy) {
            return grads(dy);
        }
    }
}
