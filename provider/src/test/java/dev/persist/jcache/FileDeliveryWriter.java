package dev.persist.jcache;

import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;

/**
 * The system of record of the write-behind crash loop: appends each delivery as a line {@code <key> <value>} (or
 * {@code <key> -} for a delete) to the file named by the system property {@value #FILE_PROPERTY}, and fsyncs before
 * returning, so what a killed process received is on disk. With {@value #DROP_PROPERTY} true it drops every
 * delivery while reporting success: the negative control, a provider that loses what it owes.
 */
public class FileDeliveryWriter implements CacheWriter<String, String> {
    /** System property: the deliveries file. */
    public static final String FILE_PROPERTY = "writebehind.crash.deliveries";
    /** System property: drop deliveries (negative control). */
    public static final String DROP_PROPERTY = "writebehind.crash.drop";

    private final Path file = Path.of(System.getProperty(FILE_PROPERTY));
    private final boolean drop = Boolean.getBoolean(DROP_PROPERTY);

    private synchronized void append(StringBuilder lines) {
        if (drop || lines.length() == 0) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
        append(new StringBuilder(entry.getKey()).append(' ').append(entry.getValue()).append('\n'));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
        StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n'));
        append(sb);
        entries.clear();
    }

    @Override
    public void delete(Object key) {
        append(new StringBuilder().append(key).append(" -\n"));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
        StringBuilder sb = new StringBuilder();
        keys.forEach(k -> sb.append(k).append(" -\n"));
        append(sb);
        keys.clear();
    }
}
