package dev.persist.examples.writebehind;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system of record: an embedded H2 database in file mode, one table {@code page_views(page, views)}. Its JDBC URL
 * is the system property {@value #URL_PROPERTY}, else {@value #DEFAULT_URL} (files under {@code data/}).
 */
public final class PageViewDatabase {
    /** System property: the JDBC URL of the database. */
    public static final String URL_PROPERTY = "pageviews.jdbc.url";
    /** The default JDBC URL: an H2 file database beside the cache's log. */
    public static final String DEFAULT_URL = "jdbc:h2:file:./data/page-views";

    private PageViewDatabase() {
    }

    /** @return the JDBC URL in use */
    public static String url() {
        return System.getProperty(URL_PROPERTY, DEFAULT_URL);
    }

    /**
     * @return a new connection, with the table created if missing
     * @throws SQLException if the database cannot be opened
     */
    public static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url(), "sa", "");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS page_views (page VARCHAR(512) PRIMARY KEY, views BIGINT NOT NULL)");
        }
        return c;
    }

    /**
     * @return every row, by page
     * @throws SQLException if the database cannot be read
     */
    public static Map<String, Long> readAll() throws SQLException {
        Map<String, Long> rows = new TreeMap<>();
        try (Connection c = connect(); PreparedStatement q = c.prepareStatement("SELECT page, views FROM page_views");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
        }
        return rows;
    }
}
