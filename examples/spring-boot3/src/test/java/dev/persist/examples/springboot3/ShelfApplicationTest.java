package dev.persist.examples.springboot3;

import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import jakarta.persistence.EntityManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot 3.5 and Hibernate ORM 6.6 on persist-jcache: after a restart of the application, the entity comes from
 * Hibernate's second-level cache without SQL and the {@code @Cacheable} result without running the method.
 */
class ShelfApplicationTest {
    @TempDir
    Path dir;

    @Test
    void bothCachesSurviveARestartOnBoot3AndHibernate66() throws IOException {
        Path yaml = config();
        try (ConfigurableApplicationContext first = start(yaml)) {
            first.getBean(ShelfRepository.class).save(new Shelf(1L, "fiction"));
            assertThat(first.getBean(ShelfApplication.Labels.class).label("hall", 3)).isEqualTo("hall-3");
            assertThat(org.hibernate.Version.getVersionString()).startsWith("6.6.");
            assertThat(org.springframework.boot.SpringBootVersion.getVersion()).startsWith("3.");
        }
        try (ConfigurableApplicationContext second = start(yaml)) {
            Statistics stats = second.getBean(EntityManagerFactory.class).unwrap(SessionFactory.class)
                    .getStatistics();
            stats.clear();
            assertThat(second.getBean(ShelfRepository.class).findById(1L)).get()
                    .extracting(Shelf::getLabel).isEqualTo("fiction");
            assertThat(stats.getPrepareStatementCount()).as("the entity came from the second-level cache").isZero();
            assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
            ShelfApplication.Labels labels = second.getBean(ShelfApplication.Labels.class);
            assertThat(labels.label("hall", 3)).isEqualTo("hall-3");
            assertThat(labels.computed()).as("the @Cacheable result came from the cache").isZero();
        }
    }

    /** The example's YAML with its store in the test's directory (Hibernate passes the provider only a URI). */
    private Path config() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/persist-jcache-boot3.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(text).contains("  path: data/shelf-cache.log");
        Path yaml = dir.resolve("persist-jcache-boot3.yaml");
        Files.writeString(yaml, text.replace("  path: data/shelf-cache.log",
                "  path: '" + dir.resolve("shelf-cache.log") + "'"));
        return yaml;
    }

    private ConfigurableApplicationContext start(Path yaml) {
        return new SpringApplicationBuilder(ShelfApplication.class)
                .properties("spring.datasource.url=jdbc:h2:file:" + dir.resolve("shelf-db"),
                        "spring.cache.jcache.config=" + yaml.toUri(),
                        "spring.jpa.properties.hibernate.javax.cache.uri=" + yaml.toUri())
                .run();
    }
}
