package org.finetune4j.nn.layers;

import org.finetune4j.autograd.Variable;
import org.finetune4j.nn.Module;
import org.finetune4j.nn.Parameter;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;

/**
 * PyTorch's nn.LSTMCell (AdaFilter's gate RNN runs one step per gated layer). With gates
 * stacked in PyTorch's order i, f, g, o:
 *   z = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh                      (n, 4h)
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 * Parameters weight_ih (4h, in), weight_hh (4h, h), bias_ih (4h), bias_hh (4h), all
 * U(±1/√hidden) as PyTorch initialises them.
 */
public final class LstmCell extends Module {
    private final Parameter weightIh;                   // (4h, in)
    private final Parameter weightHh;                   // (4h, h)
    private final Parameter biasIh;                     // (4h)
    private final Parameter biasHh;                     // (4h)
    private final int hidden;

    /** The recurrent state, each (n, hidden). */
    public record State(Variable h, Variable c) {}

    public LstmCell(int in, int hidden, Rng rng) {
        this(uniform(rng, hidden, 4 * hidden, in), uniform(rng, hidden, 4 * hidden, hidden),
                uniform(rng, hidden, 4 * hidden), uniform(rng, hidden, 4 * hidden));
    }

    private static Tensor uniform(Rng rng, int hidden, int... dims) {
        float bound = (float) (1 / Math.sqrt(hidden));
        return Tensor.uniform(rng, -bound, bound, dims);
    }

    private LstmCell(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh) {
        this.hidden = weightHh.dim(1);
        this.weightIh = param("weight_ih", weightIh);
        this.weightHh = param("weight_hh", weightHh);
        this.biasIh = param("bias_ih", biasIh);
        this.biasHh = param("bias_hh", biasHh);
    }

    /** One step: x (n, in), state (n, hidden) each → the new state. */
    public State step(Variable x, State state) {
        Variable z = x.linear(weightIh.variable(), biasIh.variable())
                .add(state.h().linear(weightHh.variable(), biasHh.variable()));   // (n, 4h)
        Variable i = z.slice(1, 0, hidden).sigmoid();
        Variable f = z.slice(1, hidden, 2 * hidden).sigmoid();
        Variable g = z.slice(1, 2 * hidden, 3 * hidden).tanh();
        Variable o = z.slice(1, 3 * hidden, 4 * hidden).sigmoid();
        Variable c = f.mul(state.c()).add(i.mul(g));
        return new State(o.mul(c.tanh()), c);
    }

    /** Zero state for a batch of n, PyTorch's default when no state is passed. */
    public State zeroState(int n) {
        Tensor zeros = weightHh.value().backend().zeros(Shape.of(n, hidden));
        return new State(Variable.constant(zeros), Variable.constant(zeros));
    }

    /** One step from the zero state; returns h'. */
    @Override
    public Variable forward(Variable x) {
        return step(x, zeroState(x.dim(0))).h();
    }

    @Override
    public LstmCell copy() {
        return (LstmCell) super.copy();
    }

    @Override
    protected LstmCell duplicate() {
        return new LstmCell(weightIh.value().copy(), weightHh.value().copy(),
                biasIh.value().copy(), biasHh.value().copy());
    }

    public int inputSize() {
        return weightIh.value().dim(1);
    }

    public int hiddenSize() {
        return hidden;
    }
}
