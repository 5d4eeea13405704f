package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import dev.selfsup.nn.Scalars;
import java.util.List;

/**
 * DINO's self-distillation loss (Caron et al. 2021, https://arxiv.org/abs/2104.14294, equation 1
 * and algorithm 1): for every teacher view {@code t} and every other student view {@code s},
 * the cross-entropy {@code -sum_k P_t(k) log P_s(k)} between the teacher's centred, sharpened
 * distribution {@code P_t = softmax((teacher_t - center) / teacherTemperature)} and the
 * student's {@code P_s = softmax(student_s / studentTemperature)}, averaged over the batch and
 * over the pairs. Teacher view {@code t} and student view {@code t} are the same crop, so that
 * pair is skipped. No gradient flows into the teacher's outputs.
 */
public final class DinoLoss {
    /** The paper's student temperature. */
    public static final double DEFAULT_STUDENT_TEMPERATURE = 0.1;

    private final double studentTemperature;

    public DinoLoss(double studentTemperature) {
        if (!(studentTemperature > 0)) {
            throw new IllegalArgumentException("student temperature must be > 0, found "
                    + studentTemperature);
        }
        this.studentTemperature = studentTemperature;
    }

    public double studentTemperature() {
        return studentTemperature;
    }

    /**
     * The teacher's distributions: {@code softmax((teacher - center) / temperature)} per row.
     *
     * @param teacher {@code (batch, K)}
     * @param center {@code (1, K)}
     */
    public static NDArray teacherProbabilities(NDArray teacher, NDArray center,
            double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("teacher temperature must be > 0, found "
                    + temperature);
        }
        return teacher.stopGradient().sub(center).div((float) temperature).softmax(1);
    }

    /**
     * The mean loss.
     *
     * @param teacher the teacher's outputs of the global views, each {@code (batch, K)}
     * @param student the student's outputs of every view, the global ones first in the teacher's
     *     order, each {@code (batch, K)}
     * @param center {@code (1, K)}
     * @param teacherTemperature the teacher's (scheduled) temperature
     * @throws IllegalArgumentException with fewer than 2 views in all or more teacher than
     *     student views
     */
    public NDArray compute(List<NDArray> teacher, List<NDArray> student, NDArray center,
            double teacherTemperature) {
        if (teacher.isEmpty() || student.size() < teacher.size() || student.size() < 2) {
            throw new IllegalArgumentException("need at least one teacher view, at least as many "
                    + "student views and 2 views in all, found " + teacher.size() + " and "
                    + student.size());
        }
        NDArray total = null;
        int pairs = 0;
        for (int t = 0; t < teacher.size(); t++) {
            NDArray targets = teacherProbabilities(teacher.get(t), center, teacherTemperature);
            for (int s = 0; s < student.size(); s++) {
                if (s == t) {
                    continue;
                }
                NDArray logProbabilities = Scalars.dividedBy(student.get(s),
                        (float) studentTemperature).logSoftmax(1); // (batch, K)
                NDArray crossEntropy = targets.mul(logProbabilities).sum(new int[] {1}).neg()
                        .mean(); // ()
                total = total == null ? crossEntropy : total.add(crossEntropy);
                pairs++;
            }
        }
        return Scalars.dividedBy(total, pairs);
    }

    /**
     * iBOT's masked-image-modeling term (Zhou et al. 2021, https://arxiv.org/abs/2111.07832,
     * equation 2): on each image, the cross-entropy between the teacher's centred, sharpened
     * distribution of every patch (the teacher saw the whole image) and the student's distribution
     * of the same patch (the student saw it masked), summed over the hidden patches and divided by
     * their count, then averaged over the images. An image with no hidden patch (iBOT leaves half
     * of them unmasked) counts 0 in that mean, as in iBOT's released code; a batch with none
     * costs 0 and sends no gradient.
     *
     * @param teacher the teacher's patch outputs {@code (images, patches, K)}
     * @param student the student's patch outputs {@code (images, patches, K)}
     * @param hidden 1 where the student's patch was masked {@code (images, patches)}
     * @param center the patch center {@code (1, K)}
     */
    public NDArray maskedPatches(NDArray teacher, NDArray student, NDArray hidden, NDArray center,
            double teacherTemperature) {
        NDArray targets = patchTargets(teacher, center, teacherTemperature); // (images, patches, K)
        NDArray logProbabilities = Scalars.dividedBy(student, (float) studentTemperature)
                .logSoftmax(2); // (images, patches, K)
        NDArray crossEntropy = targets.mul(logProbabilities).sum(new int[] {2}).neg(); // (images, patches)
        return hiddenMean(crossEntropy, hidden);
    }

    /**
     * The teacher's entropy on the hidden patches, averaged as {@link #maskedPatches} averages
     * the cross-entropy: {@code maskedPatches - this} is the mean KL(teacher || student) there.
     */
    public static NDArray maskedPatchEntropy(NDArray teacher, NDArray hidden, NDArray center,
            double teacherTemperature) {
        NDArray targets = patchTargets(teacher, center, teacherTemperature);
        NDArray entropy = targets.mul(targets.add(1e-12f).log()).sum(new int[] {2}).neg(); // (images, patches)
        return hiddenMean(entropy, hidden);
    }

    private static NDArray patchTargets(NDArray teacher, NDArray center, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("teacher temperature must be > 0, found "
                    + temperature);
        }
        return teacher.stopGradient().sub(center).div((float) temperature).softmax(2);
    }

    /** Per image, the mean of {@code values} over its hidden patches; then over the images. */
    private static NDArray hiddenMean(NDArray values, NDArray hidden) {
        return values.mul(hidden).sum(new int[] {1})
                .div(hidden.sum(new int[] {1}).maximum(1f)).mean(); // images, then ()
    }
}
