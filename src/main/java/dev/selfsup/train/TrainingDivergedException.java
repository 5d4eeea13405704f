package dev.selfsup.train;

/** The loss became NaN or infinite; the run stops and no checkpoint of the bad state is saved. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
