/**
 * FitNets — Romero, Ballas, Kahou, Chassang, Gatta, Bengio, "FitNets: Hints for Thin Deep Nets",
 * ICLR 2015 (arXiv 1412.6550). Spec: ../shared/methods/fitnets.md.
 *
 * <p>Symbols: u_h teacher hint-layer output (teacher F2), v_g student guided-layer output
 * (student F2), r(.; W_r) the regressor, z_S / z_T student / teacher logits,
 * P^τ = softmax(z/τ), H(p, q) = −Σ p log q, λ the annealed KD weight, B batch size.
 *
 * <table>
 *   <caption>Equation → code</caption>
 *   <tr><th>spec §2</th><th>equation</th><th>code</th></tr>
 *   <tr><td>regressor</td><td>valid conv, k = N_g − N_h + 1, ReLU</td>
 *       <td>{@link org.finetune4j.methods.fitnets.HintRegressor}</td></tr>
 *   <tr><td>stage 1</td><td>L_HT = 1/B Σ ½‖u_h − r(v_g)‖²</td>
 *       <td>{@link org.finetune4j.methods.fitnets.FitNets#hintLoss}</td></tr>
 *   <tr><td>stage 2, KD term</td><td>H(P_T^τ, P_S^τ), no τ²</td>
 *       <td>{@link org.finetune4j.methods.fitnets.FitNets#kdTerm}</td></tr>
 *   <tr><td>stage 2</td><td>CE + λ(epoch) · KD</td>
 *       <td>{@link org.finetune4j.methods.fitnets.FitNets#step}</td></tr>
 *   <tr><td>λ schedule</td><td>TeacherDecayOverEpoch</td>
 *       <td>{@link org.finetune4j.methods.fitnets.FitNetsConfig#lambda}</td></tr>
 *   <tr><td>stage switch</td><td>hint epochs, then KD</td>
 *       <td>{@link org.finetune4j.methods.fitnets.FitNets#advanceEpoch}</td></tr>
 * </table>
 *
 * <p>Mode B student [ours, the spec leaves it open]: a freshly initialised network, as FitNets'
 * students are and as L2T-ww's cross-task "FM" baseline trains its target from scratch; the hint
 * stage is then how the source features reach it. We first started the student from the source
 * weights: on Fashion-MNIST 5-9 with 10 images per class, validation accuracy fell from 81 % to
 * 62 % to 51 % as the hint stage grew from 10 % to 25 % to 50 % of the epochs, because stage 1
 * then only bends good features towards a randomly initialised regressor.
 *
 * <p>Optimiser [ours, following spec §8]: stage 1 always uses RMSProp (the hint loss is a sum of
 * squares over the whole hint map, a scale RMSProp is blind to); stage 2 uses RMSProp by default
 * (the 2015 code) or, with {@link org.finetune4j.methods.fitnets.FitNetsConfig#withSgd}, the
 * baselines' SGD + momentum, which the compare command uses: with constant-rate RMSProp the
 * target validation accuracy of a fresh student swung between 95 % and 75 % in the last epochs.
 */
package org.finetune4j.methods.fitnets;
