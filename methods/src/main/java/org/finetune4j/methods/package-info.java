/** The transfer-learning methods and baselines (later issues); see methods/README.md. */
package org.finetune4j.methods;
