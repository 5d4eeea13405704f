package dev.selfsup.method;

import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PartsBlock;

/**
 * What every built-in method holds: its CLI name and a {@link PartsBlock} rooted at the backbone,
 * to which subclasses add their heads.
 */
abstract class PartsMethod implements Method {
    private final String name;
    private final PartsBlock model;

    PartsMethod(String name, Backbone backbone) {
        this.name = name;
        this.model = new PartsBlock(backbone);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PartsBlock model() {
        return model;
    }
}
