package dev.persist.examples.springboot3;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data JPA over the cached entity. */
public interface ShelfRepository extends JpaRepository<Shelf, Long> {
}
