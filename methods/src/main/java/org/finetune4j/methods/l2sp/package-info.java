/**
 * L2-SP — Li, Grandvalet, Davoine, "Explicit inductive bias for transfer learning with
 * convolutional networks", ICML 2018 (arXiv 1802.01483). Spec: ../shared/methods/l2sp.md.
 *
 * <p>Symbols: α weight towards the starting point, β weight of the head's L2, w_S shared
 * (backbone) parameters, w_S⁰ their pre-trained values, w_S̄ the new head, B batch size.
 *
 * <table>
 *   <caption>Equation → code</caption>
 *   <tr><th>spec §2</th><th>equation</th><th>code</th></tr>
 *   <tr><td>J(w)</td><td>1/B Σ CE + Ω(w)</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#step}</td></tr>
 *   <tr><td>Ω, term 1</td><td>α/2 ‖w_S − w_S⁰‖²</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#omegaStart},
 *       {@link org.finetune4j.methods.l2sp.StartingPoint#squaredDistance}</td></tr>
 *   <tr><td>Ω, term 2</td><td>β/2 ‖w_S̄‖²</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#omegaHead}</td></tr>
 *   <tr><td>Ω</td><td>sum of both</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#penalty}</td></tr>
 *   <tr><td>"L2" baseline</td><td>Ω with w_S⁰ := 0</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#towardsZero}</td></tr>
 * </table>
 */
package org.finetune4j.methods.l2sp;
