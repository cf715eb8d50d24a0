package io.usageplans.hazelcast;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;

/**
 * This module's values as compact {@link GenericRecord}s, for instances that do not have its serializers registered
 * (one the application server owns, like Payara's data grid, found through JNDI or by name: its configuration is not
 * ours to change, and it cannot serialize our classes). A record is built by running our serializer against a writer
 * that fills a {@link GenericRecordBuilder}, and read by running it against a reader of the record, so records have
 * the serializer's type name and fields and cannot drift from it. Such an instance hands them back as GenericRecords;
 * {@link #read} turns them (or objects, from an instance that has our serializers) into objects.
 */
final class GenericRecords {

    private GenericRecords() {
    }

    /** {@code value} as the GenericRecord that {@code serializer} would write. */
    static <T> GenericRecord write(CompactSerializer<T> serializer, T value) {
        GenericRecordBuilder builder = GenericRecordBuilder.compact(serializer.getTypeName());
        CompactWriter writer = (CompactWriter) Proxy.newProxyInstance(CompactWriter.class.getClassLoader(),
                new Class<?>[] {CompactWriter.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args);
                    }
                    // writeInt64(name, value) -> setInt64(name, value), and so on for every field kind
                    invoke(builder, GenericRecordBuilder.class, "set" + method.getName().substring("write".length()), method,
                            new Object[] {args[0], copied(args[1])});
                    return null;
                });
        serializer.write(writer, value);
        return builder.build();
    }

    /** A value as {@code type}: itself if the instance deserialized it, else read from its GenericRecord. */
    static <T> T read(CompactSerializer<T> serializer, Class<T> type, Object value) {
        if (value == null || type.isInstance(value)) {
            return type.cast(value);
        }
        if (!(value instanceof GenericRecord record)) {
            throw new IllegalStateException("usage-plans: expected a " + type.getSimpleName() + " or a compact record, found "
                    + value.getClass().getName());
        }
        CompactReader reader = (CompactReader) Proxy.newProxyInstance(CompactReader.class.getClassLoader(),
                new Class<?>[] {CompactReader.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args);
                    }
                    // readInt64(name) -> getInt64(name); getFieldKind(name) -> getFieldKind(name)
                    String name = method.getName().startsWith("read") ? "get" + method.getName().substring("read".length())
                            : method.getName();
                    return copied(invoke(record, GenericRecord.class, name, method, args));
                });
        return serializer.read(reader);
    }

    private static Object invoke(Object target, Class<?> api, String name, Method method, Object[] args) throws Throwable {
        Method counterpart;
        try {
            counterpart = api.getMethod(name, method.getParameterTypes());
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException("usage-plans: " + method.getName() + " has no GenericRecord counterpart "
                    + name + " (nested compact values are not supported here)", e);
        }
        try {
            return counterpart.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Arrays are copied: a record hands out its own, and the caller compares the record it read with the stored one. */
    private static Object copied(Object value) {
        if (value == null || !value.getClass().isArray()) {
            return value;
        }
        int length = Array.getLength(value);
        Object copy = Array.newInstance(value.getClass().getComponentType(), length);
        System.arraycopy(value, 0, copy, 0, length);
        return copy;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "GenericRecords adapter";
        };
    }
}
