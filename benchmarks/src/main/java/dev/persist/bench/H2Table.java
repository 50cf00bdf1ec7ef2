package dev.persist.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system of record of the write-behind benchmarks: one H2 table {@code kv(k, v)} in an embedded file database,
 * one JDBC connection (calls are serialized on it, as on one connection of a pool). Each call is one transaction,
 * upserting (MERGE) or deleting a batch of rows. {@code WRITE_DELAY=0}: H2 writes each commit to its file at once, so
 * a commit survives a crash of the process (as this provider's WRITE tier), not of the machine.
 */
public final class H2Table implements AutoCloseable {
    private final Connection connection;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();

    /**
     * @param dir the database's directory
     * @throws SQLException if it cannot be opened
     */
    public H2Table(Path dir) throws SQLException {
        connection = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("sor").toAbsolutePath()
                + ";WRITE_DELAY=0", "sa", "");
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS kv (k VARCHAR(64) PRIMARY KEY, v VARCHAR(64) NOT NULL)");
        }
        connection.setAutoCommit(false);
    }

    /** Upserts the rows in one transaction. */
    public synchronized void upsert(Iterable<? extends Map.Entry<? extends String, ? extends String>> entries) {
        try (PreparedStatement ps = connection.prepareStatement("MERGE INTO kv (k, v) KEY (k) VALUES (?, ?)")) {
            int n = 0;
            for (Map.Entry<? extends String, ? extends String> e : entries) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.addBatch();
                n++;
            }
            ps.executeBatch();
            connection.commit();
            rows.addAndGet(n);
            calls.incrementAndGet();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("upsert failed", e);
        }
    }

    /** Deletes the rows in one transaction. */
    public synchronized void delete(Iterable<?> keys) {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM kv WHERE k = ?")) {
            int n = 0;
            for (Object k : keys) {
                ps.setString(1, (String) k);
                ps.addBatch();
                n++;
            }
            ps.executeBatch();
            connection.commit();
            rows.addAndGet(n);
            calls.incrementAndGet();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("delete failed", e);
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the failure that led here is reported
        }
    }

    /** @return every row */
    public synchronized Map<String, String> readAll() throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT k, v FROM kv")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /** @return rows written (upserts and deletes) through this object */
    public long rowsWritten() {
        return rows.get();
    }

    /** @return transactions committed through this object */
    public long calls() {
        return calls.get();
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
