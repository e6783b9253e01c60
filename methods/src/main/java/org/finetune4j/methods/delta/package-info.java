/**
 * DELTA — Li, Xiong, Wang, Rao, Liu, Huan, "DELTA: DEep Learning Transfer using Feature Map with
 * Attention for Convolutional Networks", ICLR 2019 (arXiv 1901.09229). Spec:
 * ../shared/methods/delta.md; follows the official code (lixingjian/DELTA) where it differs
 * from the paper text (dataset-level attention, computed once).
 *
 * <p>Symbols: α weight of the behavioural term, β weight of the head's L2, w⁰ the frozen source
 * network (eval mode), FM_l the pre-BN output of the last conv of stage l (resnet-mini:
 * layer{1,2,3}.1.conv2, C = 16/32/64), a_{l,c} the channel attention, B the batch size.
 *
 * <p>Normalisation (as the code): Ω_att is a <b>sum over the batch</b>, each channel's squared
 * distance is a spatial mean and weighted by C_l·a_{l,c}, so uniform attention gives factor 1;
 * the effective α therefore grows with B.
 *
 * <table>
 *   <caption>Equation → code</caption>
 *   <tr><th>spec</th><th>equation</th><th>code</th></tr>
 *   <tr><td>§2 J(w)</td><td>1/B Σ CE + α·Ω_att + β·Ω_head</td>
 *       <td>{@link org.finetune4j.methods.delta.Delta#step}</td></tr>
 *   <tr><td>§2 α·Ω_att</td>
 *       <td>α Σ_l ½ Σᵢ Σ_c C_l a_{l,c} mean_p (FM_l(w) − FM_l(w⁰))²</td>
 *       <td>{@link org.finetune4j.methods.delta.Delta#omegaBehaviour}</td></tr>
 *   <tr><td>§2 β·Ω_head</td><td>β/2 ‖w_head‖²</td>
 *       <td>{@link org.finetune4j.methods.l2sp.L2sp#omegaHead}</td></tr>
 *   <tr><td>§2 attention, step 2</td>
 *       <td>d_{l,c} = running mean of CE(filter c zeroed) − CE</td>
 *       <td>{@link org.finetune4j.methods.delta.ChannelAttention#scores}</td></tr>
 *   <tr><td>§2 attention, steps 3–4</td><td>a = softmax(z / T), z = z-score (ddof 0)</td>
 *       <td>{@link org.finetune4j.methods.delta.ChannelAttention#fromScores}</td></tr>
 *   <tr><td>§2 "feature map" ablation</td><td>a = 1/C_l</td>
 *       <td>{@link org.finetune4j.methods.delta.ChannelAttention#uniform}</td></tr>
 * </table>
 *
 * <p>Step 1 of the attention phase (training the target head on the frozen backbone) is an
 * ordinary linear probe ({@code Baseline.linearProbe}, or with BN statistics re-estimated as
 * code:DELTA does); {@link org.finetune4j.methods.delta.ChannelAttention#compute} takes the
 * resulting model.
 */
package org.finetune4j.methods.delta;
