package dev.persist.examples.writebehind;

import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache's writer, named in {@code persist-jcache-write-behind.yaml}: upserts page counts into H2 with one JDBC
 * batch per call, in one transaction. Idempotent (an upsert of the same row twice leaves the same row), as
 * write-behind's at-least-once delivery wants. On failure it throws and leaves the collection as it was: the whole
 * batch is retried (a row that keeps failing is then retried alone).
 */
public class PageViewWriter implements CacheWriter<String, Long> {
    /** Rows this JVM's writers have written (upserts and deletes), for the example's output and its test. */
    public static final AtomicLong ROWS_WRITTEN = new AtomicLong();
    /** Calls of writeAll and deleteAll. */
    public static final AtomicLong BATCHES = new AtomicLong();

    @Override
    public void write(Cache.Entry<? extends String, ? extends Long> entry) {
        writeAll(new java.util.ArrayList<>(java.util.List.of(entry)));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends Long>> entries) {
        try (Connection c = PageViewDatabase.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement upsert = c.prepareStatement("MERGE INTO page_views (page, views) KEY (page) "
                    + "VALUES (?, ?)")) {
                for (Cache.Entry<? extends String, ? extends Long> e : entries) {
                    upsert.setString(1, e.getKey());
                    upsert.setLong(2, e.getValue());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            c.commit();
            BATCHES.incrementAndGet();
            ROWS_WRITTEN.addAndGet(entries.size());
            entries.clear(); // all written
        } catch (SQLException e) {
            throw new CacheWriterException("upsert into page_views failed", e);
        }
    }

    @Override
    public void delete(Object key) {
        deleteAll(new java.util.ArrayList<>(java.util.List.of(key)));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
        try (Connection c = PageViewDatabase.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM page_views WHERE page = ?")) {
                for (Object k : keys) {
                    delete.setString(1, (String) k);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
            c.commit();
            BATCHES.incrementAndGet();
            ROWS_WRITTEN.addAndGet(keys.size());
            keys.clear();
        } catch (SQLException e) {
            throw new CacheWriterException("delete from page_views failed", e);
        }
    }
}
