package org.emodir.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A pickle interpreter for exactly what {@code torch.save(state_dict)} emits. Python's pickle
 * runs arbitrary code through GLOBAL + REDUCE; here only a fixed list of globals is recognised
 * and each is "called" by Java code that builds plain data, so a checkpoint can never execute code.
 *
 * <p>Values: Python str → String, int → Long, bool → Boolean, None → null, tuple → Object[],
 * list → ArrayList, dict/OrderedDict → LinkedHashMap, tensors → {@link TensorView}, persistent
 * ids → whatever the loader returns.
 */
final class RestrictedUnpickler {
    /** A reference to a Python global that was found on the allow-list. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A tensor as torch._utils._rebuild_tensor_v2 describes it: a view into a storage. */
    record TensorView(Object storage, long offset, long[] size, long[] stride) {}

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final String source;
    private final Function<Object, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle, String source, Function<Object, Object> persistentLoad) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.persistentLoad = persistentLoad;
    }

    /** Runs the pickle program; {@code source} names the file in error messages. */
    static Object load(byte[] pickle, String source, Function<Object, Object> persistentLoad) {
        return new RestrictedUnpickler(pickle, source, persistentLoad).run();
    }

    private Object run() {
        while (true) {
            int at = in.position();
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1) throw error(at, "STOP with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
                case '(' -> {
                    marks.push(stack.size());
                    stack.add(MARK);
                }
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Object[0]); // EMPTY_TUPLE
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt(checkRemaining(4)));
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (in.getShort(checkRemaining(2)) & 0xFFFF));
                case 0x8a -> push(long1(at));
                case 'X' -> push(string(u32(at), at));
                case 0x8c -> push(string(u8(), at));
                case 'q' -> memo.put((long) u8(), top(at));
                case 'r' -> memo.put(u32(at), top(at));
                case 0x94 -> memo.put((long) memo.size(), top(at)); // MEMOIZE
                case 'h' -> push(memoGet((long) u8(), at));
                case 'j' -> push(memoGet(u32(at), at));
                case 'c' -> push(global(line(at), line(at), at));
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n))
                        throw error(at, "STACK_GLOBAL of non-strings");
                    push(global(m, n, at));
                }
                case 't' -> push(popMark(at).toArray());
                case 0x85 -> push(new Object[] {pop(at)});
                case 0x86 -> {
                    Object b = pop(at);
                    Object a = pop(at);
                    push(new Object[] {a, b});
                }
                case 0x87 -> {
                    Object c = pop(at);
                    Object b = pop(at);
                    Object a = pop(at);
                    push(new Object[] {a, b, c});
                }
                case 'Q' -> push(persistentLoad.apply(pop(at))); // BINPERSID
                case 'R' -> {
                    Object args = pop(at);
                    push(call(pop(at), args, at));
                } // REDUCE
                case 's' -> {
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(top(at), at).put(key(k, at), v);
                }
                case 'u' -> {
                    List<Object> items = popMark(at);
                    if (items.size() % 2 != 0) throw error(at, "SETITEMS with an odd number of values");
                    Map<Object, Object> d = dict(top(at), at);
                    for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i), at), items.get(i + 1));
                }
                case 'a' -> {
                    Object v = pop(at);
                    list(top(at), at).add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark(at);
                    list(top(at), at).addAll(items);
                }
                case 'b' -> pop(at); // BUILD: object state such as OrderedDict._metadata; not needed
                default -> throw error(at, String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    private Global global(String module, String name, int at) {
        boolean allowed = switch (module) {
            case "collections" -> name.equals("OrderedDict");
            case "torch._utils" -> name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_parameter");
            case "torch" -> DType.ofTorchStorage(name) != null;
            default -> false;
        };
        if (!allowed) {
            throw new WeightsException(source + ": refusing to execute code from checkpoint: global " + module + "."
                    + name + " (only state dicts of supported tensor types can be loaded)");
        }
        return new Global(module, name);
    }

    /** REDUCE: the allow-listed callables, reimplemented as data constructors. */
    private Object call(Object callable, Object argsObj, int at) {
        if (!(callable instanceof Global g)) throw error(at, "REDUCE on a non-callable " + describe(callable));
        if (!(argsObj instanceof Object[] args)) throw error(at, "REDUCE arguments are not a tuple");
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (args.length != 0) throw error(at, "OrderedDict called with arguments");
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (args.length < 4)
                    throw error(at, "_rebuild_tensor_v2 needs at least 4 arguments, got " + args.length);
                return new TensorView(
                        args[0],
                        integer(args[1], "storage offset", at),
                        longs(args[2], "size", at),
                        longs(args[3], "stride", at));
            }
            case "torch._utils._rebuild_parameter" -> {
                if (args.length < 1 || !(args[0] instanceof TensorView))
                    throw error(at, "_rebuild_parameter without a tensor");
                return args[0];
            }
            default -> throw error(at, "global " + g.qualified() + " cannot be called");
        }
    }

    private long[] longs(Object o, String what, int at) {
        if (!(o instanceof Object[] t)) throw error(at, "tensor " + what + " is not a tuple");
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) out[i] = integer(t[i], what, at);
        return out;
    }

    private long integer(Object o, String what, int at) {
        if (!(o instanceof Long v)) throw error(at, what + " is " + describe(o) + ", not an integer");
        return v;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) {
        if (!(o instanceof Map)) throw error(at, "SETITEM on " + describe(o));
        return (Map<Object, Object>) o;
    }

    /** Only scalar keys: hashing a container key could recurse forever on a self-referencing pickle. */
    private Object key(Object k, int at) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean) return k;
        throw error(at, "dict key of type " + describe(k) + " is not supported");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) {
        if (!(o instanceof ArrayList)) throw error(at, "APPEND on " + describe(o));
        return (List<Object>) o;
    }

    static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(int at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw error(at, "stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object top(int at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw error(at, "stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(int at) {
        if (marks.isEmpty()) throw error(at, "no MARK on the stack");
        int m = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key, int at) {
        if (!memo.containsKey(key)) throw error(at, "memo key " + key + " was never stored");
        return memo.get(key);
    }

    private int checkRemaining(int n) {
        if (in.remaining() < n) throw error(in.position(), "pickle ends inside an instruction");
        int p = in.position();
        in.position(p + n);
        return p;
    }

    private int u8() {
        return in.get(checkRemaining(1)) & 0xFF;
    }

    private long u32(int at) {
        return in.getInt(checkRemaining(4)) & 0xFFFFFFFFL;
    }

    private byte[] bytes(long n) {
        if (n > in.remaining()) throw error(in.position(), "pickle ends inside an instruction");
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String string(long n, int at) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private long long1(int at) {
        int n = u8();
        if (n > 8) throw error(at, "integer of " + n + " bytes does not fit 64 bits");
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        if (n > 0 && n < 8 && b[n - 1] < 0) v -= 1L << (8 * n); // two's complement sign
        return v;
    }

    private String line(int at) {
        int start = in.position();
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                String s = new String(bytes(i - start), StandardCharsets.UTF_8);
                in.get();
                return s;
            }
        }
        throw error(at, "GLOBAL without a newline");
    }

    private WeightsException error(int at, String message) {
        return new WeightsException(source + ": bad pickle at byte " + at + ": " + message);
    }
}
