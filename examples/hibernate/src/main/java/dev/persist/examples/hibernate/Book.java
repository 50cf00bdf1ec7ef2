package dev.persist.examples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity in the second-level cache (region {@code dev.persist.examples.hibernate.Book}). */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Book {
    @Id
    private Long id;

    private String title;

    /** ({@code year} is a reserved word of H2) */
    private int published;

    @ManyToOne(fetch = FetchType.LAZY)
    private Author author;

    /**
     * An attribute of the application's own type: Hibernate's cache entry holds the enum constant as it is, so
     * Java serialization must be allowed to write it ({@code defaults.serialization.allow} in
     * persist-jcache-hibernate.yaml).
     */
    @Enumerated(EnumType.STRING)
    private Format format = Format.PAPERBACK;

    /** How a book is bound. */
    public enum Format { HARDCOVER, PAPERBACK }

    protected Book() {
    }

    public Book(Long id, String title, int published, Author author) {
        this.id = id;
        this.title = title;
        this.published = published;
        this.author = author;
        author.getBooks().add(this);
    }

    public Long getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }

    public int getPublished() {
        return published;
    }

    public Author getAuthor() {
        return author;
    }

    public Format getFormat() {
        return format;
    }
}
