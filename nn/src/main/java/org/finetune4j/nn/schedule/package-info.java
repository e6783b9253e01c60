/**
 * Learning-rate schedules as pure functions lr(base lr, t) of an epoch or step count t, so a
 * resumed run only needs t: {@link org.finetune4j.nn.schedule.StepLr}, {@link
 * org.finetune4j.nn.schedule.MultiStepLr}, {@link org.finetune4j.nn.schedule.CosineLr} and {@link
 * org.finetune4j.nn.schedule.LinearWarmup} (which hands over to another schedule), each matching
 * its PyTorch 1.13 scheduler's sequence. {@link org.finetune4j.nn.schedule.LrSchedule#applyTo}
 * sets every group of an optimiser from its base lr.
 */
package org.finetune4j.nn.schedule;
