/**
 * Data for training and evaluation: a {@link org.finetune4j.nn.data.Dataset} is one float tensor
 * of images (n, c, h, w) plus int labels and class names; a {@link org.finetune4j.nn.data.Loader}
 * turns it into seeded, reproducible {@link org.finetune4j.nn.data.Batch}es.
 *
 * <p>Where to start: {@code FashionMnist} (Debian's files, or the embedded mini subset),
 * {@code Splits} (class subsets, k-shot, validation hold-out), {@code Loader}. Users bring their
 * own images through {@code ImageFolder}. {@code Idx} is the validating IDX file reader.
 */
package org.finetune4j.nn.data;
