package dev.selfsup.method;

import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PartsBlock;

/**
 * Shared plumbing of the image pretext tasks: one view per sample (the task makes its own
 * targets from it), the light {@code crop-flip} recipe, and a {@link PartsBlock} on the backbone
 * for subclasses to add their heads to.
 */
abstract class SingleViewMethod extends PartsMethod {
    SingleViewMethod(String name, Backbone backbone) {
        super(name, backbone);
    }

    @Override
    public int viewCount() {
        return 1;
    }

    @Override
    public String defaultRecipe() {
        return ViewRecipes.CROP_FLIP;
    }
}
