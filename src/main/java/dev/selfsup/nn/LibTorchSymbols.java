package dev.selfsup.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libtorch's C++ functions that DJL 0.36 does not expose, found by their (mangled) symbols in the
 * {@code libtorch_cpu} that DJL loaded and called through JNA. Only functions whose preconditions
 * the caller checks in Java may be bound: a C++ exception thrown through JNA ends the process.
 */
public final class LibTorchSymbols {
    private static final Library LIBRARY = Library.load();

    private LibTorchSymbols() {}

    /**
     * The function with the mangled name {@code symbol}.
     *
     * @throws UnsatisfiedLinkError where libtorch did not load, or has no such symbol; the
     *     message says which
     */
    public static Function function(String symbol) {
        if (LIBRARY.error != null) {
            throw new UnsatisfiedLinkError(LIBRARY.error);
        }
        return LIBRARY.torch.getFunction(symbol);
    }

    /** The function with the mangled name {@code symbol}, or null where it cannot be found. */
    public static Function functionOrNull(String symbol) {
        try {
            return function(symbol);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /**
     * {@code bytes} of zeroed native memory, never freed while referenced: an empty C++ argument
     * passed by reference (an empty {@code std::optional} or {@code std::unique_ptr}).
     */
    public static Memory zeroed(int bytes) {
        Memory memory = new Memory(bytes);
        memory.clear();
        return memory;
    }

    /**
     * The {@code c10::TensorImpl*} of a DJL array: DJL's handle points at an {@code at::Tensor},
     * which holds that one pointer (so an array of these is an {@code at::Tensor} array).
     */
    public static long tensorImpl(NDArray array) {
        if (!(array instanceof PtNDArray pt)) {
            throw new IllegalArgumentException("need a libtorch array, found "
                    + array.getClass().getName());
        }
        return new Pointer(pt.getHandle()).getLong(0);
    }

    private record Library(NativeLibrary torch, String error) {
        static Library load() {
            try {
                // loads libtorch if DJL has not yet: its path is then in this process's maps
                Engine.getEngine("PyTorch");
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                return new Library(null, "libtorch did not load: " + e.getMessage());
            }
            try {
                String path = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                        .filter(line -> line.endsWith("/libtorch_cpu.so"))
                        .map(line -> line.substring(line.indexOf('/')))
                        .findFirst().orElse(null);
                if (path == null) {
                    return new Library(null,
                            "libtorch_cpu.so is not among this process's libraries");
                }
                return new Library(NativeLibrary.getInstance(path), null);
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                return new Library(null, "libtorch_cpu.so could not be opened: " + e.getMessage());
            }
        }
    }
}
