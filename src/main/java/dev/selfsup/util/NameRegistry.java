package dev.selfsup.util;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entries a user registers under a name beside a fixed list of built-in names (methods,
 * backbones): names are lower-case letters, digits and {@code -}, and neither a built-in nor a
 * registered name can be taken twice. Safe to use from several threads.
 *
 * @param <V> what is registered (a factory)
 */
public final class NameRegistry<V> {
    private final String kind;
    private final List<String> builtIn;
    private final Map<String, V> registered = new ConcurrentHashMap<>();

    /**
     * @param kind what the names name, for messages ({@code method})
     * @param builtIn the built-in names, which cannot be registered
     */
    public NameRegistry(String kind, List<String> builtIn) {
        this.kind = kind;
        this.builtIn = List.copyOf(builtIn);
    }

    /**
     * Registers {@code value} under {@code name}.
     *
     * @throws IllegalArgumentException for a malformed, built-in or already registered name
     */
    public void register(String name, V value) {
        Objects.requireNonNull(value, kind + " factory");
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("a " + kind + " name is lower-case letters, "
                    + "digits and '-', found '" + name + "'");
        }
        if (builtIn.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is a built-in " + kind);
        }
        if (registered.putIfAbsent(name, value) != null) {
            throw new IllegalArgumentException(kind + " '" + name + "' is already registered");
        }
    }

    /** Forgets what was registered under {@code name}, if anything. */
    public void unregister(String name) {
        registered.remove(name);
    }

    /** What is registered under {@code name}, or null. */
    public V get(String name) {
        return registered.get(name);
    }

    /** The built-in names, then the registered ones, sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>(builtIn);
        names.addAll(new TreeSet<>(registered.keySet()));
        return List.copyOf(names);
    }
}
