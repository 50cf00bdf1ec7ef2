package dev.persist.store;

import dev.persist.store.log.ActiveThreads;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveThreadsTest {
    private static final long WINDOW = 200_000_000L; // 200 ms: far above scheduling noise

    @Test
    void countsDistinctThreadsOfThisWindow() throws Exception {
        ActiveThreads active = new ActiveThreads(WINDOW);
        Thread other = new Thread(() -> { });
        active.note(Thread.currentThread());
        active.note(Thread.currentThread());
        active.note(other);
        assertThat(active.count()).isEqualTo(2);
    }

    @Test
    void aThreadSeenInThePreviousWindowStillCountsOnce() throws Exception {
        ActiveThreads active = new ActiveThreads(WINDOW);
        active.note(Thread.currentThread());
        Thread.sleep(WINDOW / 1_000_000 + 20); // the next window
        active.note(Thread.currentThread());
        assertThat(active.count()).isEqualTo(1);
    }

    @Test
    void forgetsThreadsAfterAWholeIdleWindow() throws Exception {
        ActiveThreads active = new ActiveThreads(WINDOW);
        active.note(Thread.currentThread());
        Thread.sleep(2 * WINDOW / 1_000_000 + 20);
        assertThat(active.count()).isZero();
    }
}
