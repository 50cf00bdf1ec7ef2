package dev.persist.jcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The refusal of a class outside the serialization allowlist tells the user what to write, defaults first (with
 * Hibernate the query-results region holds entity states, so a per-region list is not enough), in the exact forms a
 * file and a {@code Properties} override take; and what it says, written as it says, makes the put work.
 */
class RefusalAdviceTest {
    /** A value class of the application, not allowed by default. */
    record Genre(String name) implements Serializable {
    }

    private static final String CACHE = "com.example.Book"; // a dotted name, as Hibernate's regions have
    private static final String CLASS = Genre.class.getName();
    /** "as a Properties override: key=value", the value ending before ". " or at the end. */
    private static final Pattern PROPERTY = Pattern.compile("as a Properties override: ([^=\\s]+)=(\\S+?)(?=\\. |$)");
    /** "in the file: ...; as a Properties override" */
    private static final Pattern IN_FILE = Pattern.compile("in the (?:YAML or JSON )?file: (.*?); as a Properties");

    @TempDir
    Path dir;

    private final PersistCachingProvider provider = new PersistCachingProvider();

    @Test
    void theMessageSuggestsTheDefaultsFirstInBothFormsAndTheCacheOnlyFormSecond() {
        String message = refusal(new Properties());
        assertThat(message)
                .startsWith("class " + CLASS + " is not allowed by the serialization allowlist of cache '" + CACHE + "'")
                .contains("as a Properties override: defaults.serialization.allow=" + CLASS)
                .contains("defaults: { serialization: { allow: [ \"" + CLASS + "\" ] } }")
                .contains("as a Properties override: caches[" + CACHE + "].serialization.allow=" + CLASS)
                .contains("caches: { " + CACHE + ": { serialization: { allow: [ \"" + CLASS + "\" ] } } }")
                .contains("Hibernate");
        assertThat(message.indexOf("defaults.serialization.allow"))
                .as("the defaults come first").isLessThan(message.indexOf("caches[" + CACHE + "]"));
    }

    @Test
    void eachPropertiesOverrideTheMessageSuggestsMakesThePutWork() {
        Matcher m = PROPERTY.matcher(refusal(new Properties()));
        List<String[]> overrides = new ArrayList<>();
        while (m.find()) {
            overrides.add(new String[] {m.group(1), m.group(2)});
        }
        assertThat(overrides).extracting(o -> o[0])
                .containsExactly("defaults.serialization.allow", "caches[" + CACHE + "].serialization.allow");
        for (String[] o : overrides) {
            Properties p = new Properties();
            p.setProperty(o[0], o[1]);
            try (CacheManager manager = open(p)) {
                Cache<Object, Object> books = cache(manager);
                books.put(1L, new Genre("fantasy"));
                assertThat(books.get(1L)).as(o[0]).isEqualTo(new Genre("fantasy"));
            }
        }
    }

    @Test
    void eachFileFormTheMessageSuggestsMakesThePutWork() throws Exception {
        Matcher m = IN_FILE.matcher(refusal(new Properties()));
        List<String> forms = new ArrayList<>();
        while (m.find()) {
            forms.add(m.group(1));
        }
        assertThat(forms).hasSize(2);
        int n = 0;
        for (String form : forms) {
            Path file = dir.resolve("advice-" + (n++) + ".yaml");
            Files.writeString(file, form + "\n");
            Properties p = new Properties();
            p.setProperty("store.path", dir.resolve("advice-" + n + ".log").toString());
            try (CacheManager manager = provider.getCacheManager(file.toUri(), getClass().getClassLoader(), p)) {
                Cache<Object, Object> books = cache(manager);
                books.put(1L, new Genre("fantasy"));
                assertThat(books.get(1L)).as(form).isEqualTo(new Genre("fantasy"));
            }
        }
    }

    private String refusal(Properties extra) {
        try (CacheManager manager = open(extra)) {
            Cache<Object, Object> books = cache(manager);
            Throwable[] thrown = new Throwable[1];
            assertThatThrownBy(() -> books.put(1L, new Genre("fantasy")))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .satisfies(t -> thrown[0] = t);
            return thrown[0].getMessage();
        }
    }

    private CacheManager open(Properties extra) {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("cache-" + System.nanoTime() + ".log").toString());
        p.putAll(extra);
        return provider.getCacheManager(java.net.URI.create("advice-" + System.nanoTime()),
                getClass().getClassLoader(), p);
    }

    private static Cache<Object, Object> cache(CacheManager manager) {
        Cache<Object, Object> c = manager.getCache(CACHE);
        return c != null ? c : manager.createCache(CACHE, new MutableConfiguration<>());
    }
}
