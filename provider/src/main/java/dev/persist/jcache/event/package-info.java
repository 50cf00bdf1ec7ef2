/** Cache entry events: the event type, registrations built from listener configurations, and their delivery. */
package dev.persist.jcache.event;
