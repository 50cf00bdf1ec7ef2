package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The one broker of the test JVM, which every test class uses; started at the first call, stopped at exit. */
final class SharedKafka {
    private static EmbeddedKafka shared;

    private SharedKafka() {
    }

    /** @return the broker of this test JVM */
    static synchronized EmbeddedKafka get() {
        if (shared == null) {
            try {
                // every acknowledged record on disk at once: the broker-restart test restarts it in-process
                shared = EmbeddedKafka.startFlushingEveryRecord(Files.createTempDirectory("embedded-kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "embedded-kafka-stop"));
        }
        return shared;
    }
}
