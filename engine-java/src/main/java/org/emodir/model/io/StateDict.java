package org.emodir.model.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordered map of parameter/buffer name to tensor, named as PyTorch's {@code state_dict()}.
 * The common DataParallel prefix {@code module.} is stripped on the way in.
 */
public final class StateDict {
    private static final String DATA_PARALLEL_PREFIX = "module.";
    private final Map<String, NamedTensor> tensors = new LinkedHashMap<>();

    public void put(NamedTensor t) {
        String name = canonicalName(t.name());
        tensors.put(name, name.equals(t.name()) ? t : new NamedTensor(name, t.shape(), t.data()));
    }

    /** Adds the tensor unless its canonical name is already present; file readers use this to refuse duplicates. */
    public boolean putIfAbsent(NamedTensor t) {
        if (tensors.containsKey(canonicalName(t.name()))) return false;
        put(t);
        return true;
    }

    /** The name a tensor is stored under: without the DataParallel prefix. */
    public static String canonicalName(String name) {
        return name.startsWith(DATA_PARALLEL_PREFIX) ? name.substring(DATA_PARALLEL_PREFIX.length()) : name;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor, checked against the shape the caller expects; errors name the key and both shapes. */
    public NamedTensor require(String name, long... expectedShape) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsException(
                    "missing tensor '" + name + "' (expected shape " + Arrays.toString(expectedShape) + ")");
        }
        if (expectedShape.length > 0 && !Arrays.equals(t.shape(), expectedShape)) {
            throw new WeightsException("tensor '" + name + "' has shape " + t.shapeString() + " but the model expects "
                    + Arrays.toString(expectedShape));
        }
        return t;
    }

    public NamedTensor get(String name) {
        return tensors.get(name);
    }

    public Map<String, NamedTensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public int size() {
        return tensors.size();
    }
}
