package dev.persist.examples.hibernate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The generation of the database's data, as the database holds it: a value in table {@code schema_generation},
 * created with the database and replaced whenever its schema is created anew. It feeds persist-jcache's
 * {@code store.generation}: a database created, recreated or restored while the application was down has another
 * value than the one the cache's log was written with, so the second-level cache is cleared at open instead of
 * serving rows the database no longer has.
 *
 * <p>With Flyway or Liquibase, the same role is played by what they record: for instance Flyway's current version
 * and the {@code installed_on} of its first migration (which a recreated database changes), or a value an
 * {@code afterMigrate} callback writes.
 */
public final class SchemaGeneration {
    private SchemaGeneration() {
    }

    /**
     * @param url       the JDBC URL
     * @param user      its user
     * @param password  its password
     * @param recreated whether this start creates the schema anew ({@code hibernate.hbm2ddl.auto} {@code create} or
     *                  {@code create-drop}): then the database's rows are all gone, and so is its generation
     * @return the database's generation, created if it has none
     */
    public static String of(String url, String user, String password, boolean recreated) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("create table if not exists schema_generation (generation varchar(64) not null)");
            if (recreated) {
                s.execute("delete from schema_generation");
            }
            try (ResultSet r = s.executeQuery("select generation from schema_generation")) {
                if (r.next()) {
                    return r.getString(1);
                }
            }
            String generation = UUID.randomUUID().toString();
            s.execute("insert into schema_generation values ('" + generation + "')");
            return generation;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema generation of " + url + ": " + e, e);
        }
    }
}
