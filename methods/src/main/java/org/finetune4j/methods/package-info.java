/**
 * Transfer-learning methods on top of nn: the {@link org.finetune4j.methods.TransferMethod}
 * interface (one optimisation step per batch, named {@link org.finetune4j.methods.LossTerms}),
 * the common baselines of ../shared/methods/README.md ({@link org.finetune4j.methods.Baseline}),
 * and one sub-package per paper (l2sp, …) with the same anatomy: package-info with citation and
 * equation table, the method class, a config record named after the paper's symbols.
 * Methods call only autograd and nn.
 */
package org.finetune4j.methods;
