package org.finetune4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.autograd.Golden;
import org.finetune4j.autograd.GradCheck;
import org.finetune4j.autograd.Variable;
import org.finetune4j.tensor.Rng;
import org.finetune4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LstmCellTest {
    private static final double ATOL = 1e-6;                // float32 forward of a few small sums
    private static final double RTOL = 1e-5;

    @Test
    void matchesPyTorchLstmCellForwardAndBackward() {
        Golden.Case c = Golden.load("nn_lstm_cell").get("lstm_cell_in5_hidden4");
        LstmCell cell = new LstmCell(c.intParam("input_size"), c.intParam("hidden_size"),
                Rng.seeded(1));
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String k : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
            state.put(k, c.tensor(k));
        }
        cell.loadStateDict(state, true);                    // names are PyTorch's
        Variable x = c.param("x");
        Variable h0 = c.param("h0");
        Variable c0 = c.param("c0");
        LstmCell.State next = cell.step(x, new LstmCell.State(h0, c0));
        Golden.assertClose(c.tensor("h1"), next.h().value(), ATOL, RTOL, c.what("h1"));
        Golden.assertClose(c.tensor("c1"), next.c().value(), ATOL, RTOL, c.what("c1"));

        next.h().mul(c.constant("dh")).sum().add(next.c().mul(c.constant("dc")).sum()).backward();
        Golden.assertClose(c.tensor("dx"), x.gradValue(), ATOL, RTOL, c.what("dx"));
        Golden.assertClose(c.tensor("dh0"), h0.gradValue(), ATOL, RTOL, c.what("dh0"));
        Golden.assertClose(c.tensor("dc0"), c0.gradValue(), ATOL, RTOL, c.what("dc0"));
        cell.namedParameters().forEach((k, p) ->
                Golden.assertClose(c.tensor("d" + k), p.grad(), ATOL, RTOL, c.what("d" + k)));
    }

    @Test
    void zeroStateForwardReturnsTheHiddenState() {
        LstmCell cell = new LstmCell(3, 2, Rng.seeded(2));
        Variable x = Variable.constant(Tensor.uniform(Rng.seeded(3), -1, 1, 4, 3));
        assertEquals(List.of(4, 2), List.of(cell.forward(x).dim(0), cell.forward(x).dim(1)));
        LstmCell copy = cell.copy();
        Golden.assertClose(cell.forward(x).value(), copy.forward(x).value(), 0, 0, "copy");
    }

    @Test
    void stepBackwardMatchesFiniteDifferences() {
        LstmCell cell = new LstmCell(3, 2, Rng.seeded(4));
        Variable x = Variable.param(Tensor.uniform(Rng.seeded(5), -1, 1, 2, 3));
        Variable h = Variable.param(Tensor.uniform(Rng.seeded(6), -1, 1, 2, 2));
        Variable c = Variable.param(Tensor.uniform(Rng.seeded(7), -1, 1, 2, 2));
        GradCheck.of(in -> {
            LstmCell.State s = cell.step(in[0], new LstmCell.State(in[1], in[2]));
            return Variable.concat(1, s.h(), s.c());
        }).inputs(x, h, c).names("x", "h", "c").assertGradientsMatch();
    }
}
