/** Modules, layers, ResNets, optimisers, checkpoints and data (a later issue); see nn/README.md. */
package org.finetune4j.nn;
